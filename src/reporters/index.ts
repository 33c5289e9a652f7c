/**
 * Writes the report files of a run: junit.xml, result.json and index.html, from the one run
 * report. Each is redacted once more on the way out, whatever its producer did.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Redactor } from '../redact.ts';
import { htmlReport } from './html.ts';
import { resultJson } from './json.ts';
import { junitXml } from './junit.ts';
import type { RunReport } from './report.ts';

/** One writer per file, chosen by name from one map. */
export const REPORT_FILES: Readonly<Record<string, (report: RunReport) => string>> = {
  'junit.xml': junitXml,
  'result.json': resultJson,
  'index.html': htmlReport,
};

/** Writes every report file into `dir`; returns their paths. */
export function writeReports(report: RunReport, dir: string, redactor: Redactor): string[] {
  const target = resolve(dir);
  mkdirSync(target, { recursive: true });
  return Object.entries(REPORT_FILES).map(([name, write]) => {
    const path = join(target, name);
    writeFileSync(path, redactor.redact(write(report)));
    return path;
  });
}
