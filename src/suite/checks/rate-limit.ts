/** Checks of the rate-limit burst (src/suite/sequences/rate-limit.ts). */
import type { RateLimit } from '../../shared/types.ts';
import { disagreements, statedPlaces } from '../rate-limit-stated.ts';
import { type BurstFacts, factsOf } from './facts.ts';
import { type CheckContext, fail, inconclusive, pass, type Verdict } from './types.ts';

/** The burst's facts; a burst always records them (an empty record judges nothing). */
function burst({
  result,
}: Pick<CheckContext, 'result'>): Partial<BurstFacts> &
  Pick<BurstFacts, 'limit' | 'windowSeconds' | 'windowMs' | 'admitted'> {
  return factsOf(result.facts, 'burst') ?? { limit: 0, windowSeconds: 0, windowMs: 0, admitted: 0 };
}

const per = (limit: RateLimit) => `${limit.requests} per ${limit.windowSeconds} s`;

/** Whether the request one past the limit came later than one window after the burst's start. */
function outlasted(facts: Pick<BurstFacts, 'pastLimitAtMs' | 'windowMs'>): boolean {
  return facts.pastLimitAtMs !== undefined && facts.pastLimitAtMs > facts.windowMs;
}

/** `2 s` or, on a faster clock, `2 s (500 ms here)`. */
function windowText(facts: Pick<BurstFacts, 'windowSeconds' | 'windowMs'>): string {
  return facts.windowMs === facts.windowSeconds * 1000
    ? `${facts.windowSeconds} s`
    : `${facts.windowSeconds} s (${facts.windowMs} ms on this clock)`;
}

/** The burst met a 429. */
export function checkRateLimited(context: CheckContext): Verdict {
  const facts = burst(context);
  const told = `after ${facts.sent} requests in ${facts.elapsedMs} ms (${facts.admitted} admitted)`;
  if (context.response.status === 429) return pass(`429 ${told}`);
  // A slow target: the requests could not all fall in one window, so no 429 proves nothing.
  if (outlasted(facts))
    return inconclusive(
      `no 429, but request #${facts.limit + 1} was answered ${facts.pastLimitAtMs} ms after the first, later than the ${windowText(facts)} window: at this latency they never fall in one window`,
    );
  return fail(`no 429 ${told}; the last answer was ${context.response.status}`);
}

/** Exactly the configured number of requests admitted before the 429. */
export function checkExactLimit(context: CheckContext): Verdict {
  const facts = burst(context);
  if (context.response.status !== 429)
    return inconclusive(
      `no 429 came, so the limit could not be counted (${facts.admitted} admitted; rate_limited.429 judges that)`,
    );
  const limit = { requests: facts.limit, windowSeconds: facts.windowSeconds };
  if (facts.admitted === facts.limit) return pass(`${facts.admitted} admitted, then 429`);
  // More than the limit, but the burst outlasted the window: a new window may have admitted them.
  if (facts.admitted > facts.limit && outlasted(facts))
    return inconclusive(
      `${facts.admitted} admitted before the 429, but request #${facts.limit + 1} was answered ${facts.pastLimitAtMs} ms after the first, later than the ${windowText(facts)} window, so a new window may have admitted the rest`,
    );
  return fail(
    `${facts.admitted} requests admitted before the 429 from a fresh window; the limit is ${per(limit)}`,
  );
}

/** The limit the 429 states in words is the configured one. */
export function checkStatedLimit(context: CheckContext): Verdict {
  const facts = burst(context);
  if (context.response.status !== 429)
    return inconclusive('no 429 came, so no stated limit could be read');
  const configured = { requests: facts.limit, windowSeconds: facts.windowSeconds };
  const stated = facts.stated;
  if (!stated)
    return fail('the 429 body states no limit ("limited to N requests every M minutes")');
  const by = facts.statedBy ?? { words: stated };
  const disagree = disagreements(by);
  if (disagree.length > 0) return fail(`the 429 contradicts itself: ${disagree.join('; ')}`);
  return stated.requests === configured.requests &&
    stated.windowSeconds === configured.windowSeconds
    ? pass(`states ${per(stated)} (${statedPlaces(by)})`)
    : fail(
        `the 429 states ${per(stated)} (${statedPlaces(by)}); the configured limit is ${per(configured)}`,
      );
}

/** After waiting the Retry-After, the next request is admitted (not 429). */
export function checkRetryAfterHonest({ result }: CheckContext): Verdict {
  const facts = burst({ result });
  // A Retry-After past twice the window contradicts the limit the target works by.
  if (facts.retryAfterTooLong)
    return fail(`${facts.retryAfterTooLong}; not waited, so the reset after it was not tried`);
  if (facts.retryAfterPastDeadline) return inconclusive(facts.retryAfterPastDeadline);
  const after = result.steps?.afterRetryAfter?.response?.status;
  if (after === undefined) {
    return result.exchange.response?.status === 429
      ? fail('no request was sent after the Retry-After')
      : inconclusive('the burst met no 429, so no Retry-After could be tried');
  }
  const waited =
    facts.retryAfterSeconds === undefined
      ? `one window (${facts.windowSeconds} s; no valid Retry-After)`
      : `Retry-After ${facts.retryAfterSeconds} s`;
  if (after === 429)
    return fail(
      `still refused (429) after waiting ${waited}: the Retry-After is too short, or the limit never resets`,
    );
  return pass(`admitted (${after}) after waiting ${waited}`);
}
