/** The JSON result (reports/result.json, schemas/result.schema.json): the run report plus totals. */

import { countOutcomes } from './record.ts';
import type { RunReport } from './report.ts';

export function resultJson(report: RunReport): string {
  return `${JSON.stringify({ ...report, totals: countOutcomes(report.testcases) }, null, 2)}\n`;
}
