/** What allow entries do to a run's verdict, read by `run` and by `merge` alike. */
import type { RunReport } from '../reporters/report.ts';

/**
 * How many allowances fail the run: every expired entry, and every stale one (status
 * `now-passing`: its testcases all passed) unless the run had `--allow-stale warn`. A report
 * without `allowStale` (written before the flag) counts as `fail`.
 */
export function failingAllowances(report: Pick<RunReport, 'allowances' | 'allowStale'>): number {
  return report.allowances.filter(
    (entry) =>
      entry.status === 'expired' ||
      (entry.status === 'now-passing' && (report.allowStale ?? 'fail') === 'fail'),
  ).length;
}
