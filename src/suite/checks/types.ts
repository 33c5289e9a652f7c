import type { Exchange, HttpResponse } from '../../target/http.ts';
import type { RunContext } from '../config.ts';
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

import type { Verdict } from '../../shared/verdict.ts';

export { fail, inconclusive, pass, type Verdict } from '../../shared/verdict.ts';

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
