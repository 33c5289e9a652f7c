/**
 * The terminal reporter: a line per testcase as it ends, then the totals, the skip reasons and
 * what the run spent. Every line is redacted.
 */
import type { Redactor } from '../shared/redact.ts';
import { oneLine, visible } from '../shared/text.ts';
import { countOutcomes, type TestcaseRecord } from './record.ts';
import type { RunReport } from './report.ts';

const MARKS: Record<TestcaseRecord['outcome'], string> = {
  passed: '✓',
  failed: '✗',
  warned: '!',
  skipped: '-',
  drift: '~',
  allowed: 'a',
  errored: 'E',
};

export function testcaseLine(record: TestcaseRecord): string {
  const mark = MARKS[record.outcome];
  if (record.outcome === 'passed') return `  ${mark} ${record.name}`;
  if (record.outcome === 'skipped') return `  ${mark} ${record.name}: skipped`;
  return `  ${mark} ${record.name}: ${record.reason ?? record.outcome}`;
}

export function printTestcase(
  record: TestcaseRecord,
  write: (line: string) => void,
  redactor: Redactor,
): void {
  // Redacted, then every control character shown: no reason can move the terminal's cursor.
  write(visible(redactor.redact(testcaseLine(record))));
}

/** The closing lines: totals, skip reasons (each once, with its count), crashes. */
export function summaryLines(report: RunReport): string[] {
  const counts = countOutcomes(report.testcases);
  const lines = [
    `passed ${counts.passed}, failed ${counts.failed}, warnings ${counts.warned}, skipped ${counts.skipped}` +
      (counts.drift ? `, drift ${counts.drift}` : '') +
      (counts.allowed ? `, allowed ${counts.allowed}` : '') +
      (counts.errored ? `, suite errors ${counts.errored}` : ''),
  ];
  const reasons = new Map<string, number>();
  for (const record of report.testcases) {
    if (record.outcome === 'skipped')
      reasons.set(record.reason ?? 'skipped', (reasons.get(record.reason ?? 'skipped') ?? 0) + 1);
  }
  for (const [reason, count] of reasons) lines.push(`  skipped ${count}: ${reason}`);
  for (const crash of report.crashes)
    lines.push(`  ✗ suite error: ${oneLine(crash.split('\n', 1)[0] ?? '')}`);
  if (report.aborted)
    lines.push(`  ✗ not tested (${report.aborted.kind}): ${oneLine(report.aborted.reason)}`);
  return lines;
}
