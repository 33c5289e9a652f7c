import type { RunContext } from '../config.ts';
import type { Exchange, HttpResponse } from '../http.ts';
import type { Facts } from './facts.ts';

/** What one case brought back: its exchange, and the ones its checks compare it with. */
export interface CaseResult {
  exchange: Exchange;
  /** The response of the case this one names as its baseline. */
  baseline?: CaseResult;
  /** The resource probe with the issued token, and with a tampered copy of it. */
  probe?: { withToken: Exchange; withTamperedToken: Exchange };
  /** Further exchanges of a sequence, by name; a requirement picks one with its `step` parameter. */
  steps?: Record<string, Exchange>;
  /** Facts a sequence case gathered (counts, timings), shown in its report. */
  facts?: Facts;
  /** Things that happened on the way (an unplanned 429 waited out), shown in its report. */
  notes: string[];
}

/**
 * What a check says: the requirement was met (`ok`), or not, with the reason. `inconclusive`
 * marks a miss that is not the target's: the check's precondition did not hold (the request it
 * compares with did not succeed), so it judged nothing; such a testcase is skipped with the
 * reason, never passed and never failed.
 */
export type Verdict =
  | { ok: true; note?: string }
  | { ok: false; reason: string; inconclusive?: true };

export interface CheckContext {
  result: CaseResult;
  /** The response of the case; checks run only when there is one. */
  response: HttpResponse;
  params: Record<string, unknown>;
  run: RunContext;
}

/** A check judges one aspect of one case. It returns a verdict; severity is decided elsewhere. */
export type Check = (context: CheckContext) => Verdict;

/** What a check needs from the target beyond the case's own request. */
export type Need = 'resourceProbe' | 'rateLimit' | 'fuzz' | 'tokenExpiry' | 'tokenLimit';

export interface CheckEntry {
  check: Check;
  description: string;
  needs?: Need[];
}

export const pass = (note?: string): Verdict => (note ? { ok: true, note } : { ok: true });
export const fail = (reason: string): Verdict => ({ ok: false, reason });
export const inconclusive = (reason: string): Verdict => ({
  ok: false,
  reason,
  inconclusive: true,
});
