/** What allow entries do to a run's verdict, read by `run` and by `merge` alike. */
import type { Allowance, RunSettings } from '../suite/config.ts';
import type { TestcaseRecord } from './record.ts';
import type { RunReport } from './report.ts';

/** The name an allowance is written and reported by: `<id>` or `<id> [<case>]`. */
export function allowanceName(entry: Pick<Allowance, 'requirement' | 'case'>): string {
  return entry.case === undefined ? entry.requirement : `${entry.requirement} [${entry.case}]`;
}

/**
 * What became of each allow entry in a run: `allowed` (a failure it covers was allowed),
 * `now-passing` (every testcase it covers passed: stale), `not-run` (none ran, or none was
 * judged: a skip or a warning is not a pass), `expired` (past its date).
 */
export function allowanceStatus(
  settings: Pick<RunSettings, 'allowances' | 'expiredAllowances'>,
  records: readonly TestcaseRecord[],
): RunReport['allowances'] {
  const statusOf = (entry: Allowance): RunReport['allowances'][number]['status'] => {
    const name = allowanceName(entry);
    const mine = records.filter((record) =>
      entry.case === undefined ? record.requirement === entry.requirement : record.name === name,
    );
    if (mine.some((record) => record.outcome === 'allowed')) return 'allowed';
    if (mine.length > 0 && mine.every((record) => record.outcome === 'passed'))
      return 'now-passing';
    return 'not-run';
  };
  return [
    ...settings.allowances.map((entry) => ({ ...entry, status: statusOf(entry) })),
    ...settings.expiredAllowances.map((entry) => ({ ...entry, status: 'expired' as const })),
  ];
}

/**
 * How many allowances fail the run: every expired entry, and every stale one (status
 * `now-passing`: its testcases all passed) unless the run had `--allow-stale warn`. A report
 * without `allowStale` (written before the flag) counts as `fail`.
 */
export function failingAllowances(report: Pick<RunReport, 'allowances' | 'allowStale'>): number {
  return allowanceFailures(report).length;
}

/**
 * The allowances that fail the run, each as the JUnit testcase that says so (a CI that reads only
 * junit.xml must see why the run failed): `allowance.expired [<entry>]` or
 * `allowance.stale [<entry>]`, with a one-line message.
 */
export function allowanceFailures(
  report: Pick<RunReport, 'allowances' | 'allowStale'>,
): { name: string; message: string }[] {
  const failures: { name: string; message: string }[] = [];
  for (const entry of report.allowances) {
    const name = allowanceName(entry);
    if (entry.status === 'expired')
      failures.push({
        name: `allowance.expired [${name}]`,
        message: `the allowance for ${name} expired on ${entry.expires} (${entry.reason}): fix the deviation or renew the entry`,
      });
    else if (entry.status === 'now-passing' && (report.allowStale ?? 'fail') === 'fail')
      failures.push({
        name: `allowance.stale [${name}]`,
        message: `stale: ${name} now passes; remove it from the allow list (--allow-stale warn makes this a warning)`,
      });
  }
  return failures;
}
