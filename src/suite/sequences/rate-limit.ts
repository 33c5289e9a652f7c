/**
 * The rate-limit burst, on the token or the revoke endpoint: after a quiet window, the limit's
 * worth of requests on one account at once, then one at a time until one meets 429; then the Retry-After is waited out and one more request must
 * succeed. The Retry-After is the target's to set, and bounded like every such wait
 * (src/target/waits.ts): past twice the window it is a finding and is not waited.
 *
 * The bursts of both endpoints run together: the endpoints' limits are counted apart (the docs
 * state one per resource), and one after the other the two quiet windows and Retry-Afters would
 * be waited in turn. Which ordinary account each burst uses is the plan's choice (src/suite/plan.ts).
 */

import type { Case } from '../../contract/catalog.ts';
import { CaseSetupError } from '../../shared/errors.ts';
import { keyLabel, paceMarginMs, retryAfterSeconds } from '../../target/budget.ts';
import { type Exchange, send } from '../../target/http.ts';
import { boundTargetWait, sleep } from '../../target/waits.ts';
import type { BurstFacts } from '../checks/facts.ts';
import type { CaseResult } from '../checks/index.ts';
import {
  budgetKey,
  buildRequest,
  endpointPath,
  learnTokens,
  placeholderValues,
} from '../execute.ts';
import { statedLimits } from '../rate-limit-stated.ts';
import { statedLimit } from '../rate-limit-text.ts';
import type { Session } from '../session.ts';

export type { BurstFacts } from '../checks/facts.ts';

/** Requests of a burst sent together at most. */
const WAVE = 32;

export function rateLimitBurst(session: Session, c: Case): Promise<CaseResult> {
  for (const other of session.plannedCases()) {
    if (other.sequence !== 'rate-limit-burst' || other.id === c.id) continue;
    if (session.results.has(other.id)) continue;
    const pending = burst(session, other);
    // Judged (and its rejection reported) by its own testcases, later.
    pending.catch(() => {});
    session.results.set(other.id, pending);
  }
  return burst(session, c);
}

async function burst(session: Session, c: Case): Promise<CaseResult> {
  const { run, budget } = session;
  const marginMs = paceMarginMs(run.secondMs);
  const path = endpointPath(session, c.endpoint);
  const limit = budget.limitOf(path);
  if (!limit) throw new CaseSetupError(`no rate limit is known for ${path}`);
  const notes: string[] = [];
  const { request, clientId } = buildRequest(
    session,
    c,
    await placeholderValues(session, c, notes),
  );
  const key = budgetKey(session, path, clientId);
  if (!key) throw new CaseSetupError(`${path} is not a rate-limited path`);

  let last: Exchange | undefined;
  let admitted = 0;
  let sent = 0;
  let started = 0;
  // When the request one past the limit was answered: past the window, a per-window limit could
  // not be reached one request after another at this latency.
  let pastLimitAtMs: number | undefined;
  const one = async (): Promise<Exchange> => {
    budget.book(key);
    const exchange = await send(request, { timeoutMs: run.timeoutMs });
    sent += 1;
    if (sent === limit.requests + 1) pastLimitAtMs = Math.round(performance.now() - started);
    learnTokens(session, exchange);
    return exchange;
  };
  // Admitted: answered anything but 429 (a 400 for an unknown token still passed the limiter).
  const counts = (exchange: Exchange) => {
    const status = exchange.response?.status;
    return status !== undefined && status !== 429;
  };
  // A server whose windows are aligned to the clock may let a burst through across a window's
  // edge; a burst that admitted more than the limit is tried once more from a fresh window.
  for (let attempt = 1; attempt <= 2; attempt++) {
    await budget.drain(key);
    started = performance.now();
    admitted = 0;
    sent = 0;
    pastLimitAtMs = undefined;
    last = undefined;
    // The limit's worth at once (in waves of at most WAVE), so that the burst lasts a round trip
    // or two, not `limit` of them (on a loaded machine those can outlast a short window); then one
    // at a time until a 429.
    while (sent < limit.requests) {
      const size = Math.min(WAVE, limit.requests - sent);
      const wave = await Promise.all(Array.from({ length: size }, one));
      admitted += wave.filter(counts).length;
      last = wave.find((exchange) => !counts(exchange)) ?? wave.at(-1);
      if (!last || !counts(last)) break;
    }
    while (last && counts(last) && sent < limit.requests * 2 + 1) {
      last = await one();
      if (counts(last)) admitted += 1;
    }
    if (admitted <= limit.requests || last?.response?.status !== 429) break;
    if (attempt === 1)
      notes.push(`${admitted} requests admitted before the 429; tried again from a fresh window`);
  }
  const elapsedMs = Math.round(performance.now() - started);
  const response = last?.response;
  const told = retryAfterSeconds(response?.headers['retry-after']);
  const facts: { of: 'burst' } & BurstFacts = {
    of: 'burst',
    sent,
    admitted,
    elapsedMs,
    ...(pastLimitAtMs === undefined ? {} : { pastLimitAtMs }),
    limit: limit.requests,
    windowSeconds: limit.windowSeconds,
    windowMs: limit.windowSeconds * run.secondMs,
    ...(response ? { stated: statedLimit(response.body) } : {}),
    ...(response?.status === 429 ? { statedBy: statedLimits(response) } : {}),
    ...(told === undefined ? {} : { retryAfterSeconds: told }),
  };
  const steps: Record<string, Exchange> = {};
  if (response?.status === 429) {
    if (told === undefined)
      notes.push(`no valid Retry-After: waited one window (${limit.windowSeconds} s) instead`);
    const wait = boundTargetWait(told ?? limit.windowSeconds, 'Retry-After', {
      windowSeconds: limit.windowSeconds,
      deadlineAt: run.deadlineAt - marginMs,
      afterMs: run.timeoutMs,
      secondMs: run.secondMs,
    });
    budget.block(key, wait.ms / run.secondMs);
    if (wait.finding || wait.pastDeadline) {
      // Not waited: whether the limit resets after it cannot be tried in this run.
      if (wait.finding) facts.retryAfterTooLong = wait.finding;
      if (wait.pastDeadline) facts.retryAfterPastDeadline = wait.pastDeadline;
      return { exchange: last as Exchange, notes, steps, facts };
    }
    if (wait.ms > 1000)
      process.stderr.write(
        `  … waiting ${wait.ms / 1000} s, the Retry-After of ${keyLabel(key)}\n`,
      );
    await sleep(wait.ms + marginMs);
    budget.book(key);
    steps.afterRetryAfter = await send(request, { timeoutMs: run.timeoutMs });
    learnTokens(session, steps.afterRetryAfter);
  }
  return { exchange: last as Exchange, notes, steps, facts };
}
