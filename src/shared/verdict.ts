/**
 * What a check of the suite or a judgement of the client harness says about one requirement,
 * and what the run makes of it: one Verdict, one Outcome for both (severity.ts decides between
 * them, from the requirement's level and --strict).
 */

/**
 * The requirement was met (`ok`), or not, with the reason. `inconclusive` marks a miss that is
 * not the target's: the precondition did not hold (the request compared with did not succeed,
 * the program never asked), so it judged nothing; such a testcase is skipped with the reason,
 * never passed and never failed.
 */
export type Verdict =
  | { ok: true; note?: string }
  | { ok: false; reason: string; inconclusive?: true };

export const pass = (note?: string): Verdict => (note ? { ok: true, note } : { ok: true });
export const fail = (reason: string): Verdict => ({ ok: false, reason });
export const inconclusive = (reason: string): Verdict => ({
  ok: false,
  reason,
  inconclusive: true,
});

/**
 * What one testcase came to. `errored`: the suite itself broke while judging (a check threw): a
 * JUnit error, never a finding about the target, whatever the requirement's level.
 */
export type Outcome = 'passed' | 'failed' | 'warned' | 'skipped' | 'drift' | 'allowed' | 'errored';
