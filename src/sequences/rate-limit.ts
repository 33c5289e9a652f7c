/**
 * The rate-limit burst, on the token or the revoke endpoint: after a quiet window, requests on
 * the primary account until one meets 429; then the Retry-After is waited out and one more
 * request must succeed. The Retry-After is the target's to set, and bounded like every such wait
 * (src/waits.ts): past twice the window it is a finding and is not waited.
 */
import { keyLabel, retryAfterSeconds } from '../budget.ts';
import {
  budgetKey,
  buildRequest,
  CaseSetupError,
  endpointPath,
  learnTokens,
  placeholderValues,
} from '../cases.ts';
import type { CaseResult } from '../checks/index.ts';
import { type Exchange, send } from '../http.ts';
import { statedLimit } from '../rate-limit-text.ts';
import type { Session } from '../session.ts';
import type { Case } from '../specs.ts';
import { boundTargetWait, sleep } from '../waits.ts';

const MARGIN_MS = 250;

export async function rateLimitBurst(session: Session, c: Case): Promise<CaseResult> {
  const { run, budget } = session;
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
  // A server whose windows are aligned to the clock may let a burst through across a window's
  // edge; a burst that admitted more than the limit is tried once more from a fresh window.
  for (let attempt = 1; attempt <= 2; attempt++) {
    await budget.drain(key);
    started = performance.now();
    admitted = 0;
    sent = 0;
    while (sent < limit.requests * 2 + 1) {
      budget.book(key);
      last = await send(request, { timeoutMs: run.timeoutMs });
      sent += 1;
      if (sent === limit.requests + 1) pastLimitAtMs = Math.round(performance.now() - started);
      learnTokens(session, last);
      const status = last.response?.status;
      // Admitted: answered anything but 429 (a 400 for an unknown token still passed the limiter).
      if (status !== undefined && status !== 429) admitted += 1;
      if (status === 429 || status === undefined) break;
    }
    if (admitted <= limit.requests || last?.response?.status !== 429) break;
    if (attempt === 1)
      notes.push(`${admitted} requests admitted before the 429; tried again from a fresh window`);
  }
  const elapsedMs = Math.round(performance.now() - started);
  const response = last?.response;
  const told = retryAfterSeconds(response?.headers['retry-after']);
  const facts: Record<string, unknown> = {
    sent,
    admitted,
    elapsedMs,
    ...(pastLimitAtMs === undefined ? {} : { pastLimitAtMs }),
    limit: limit.requests,
    windowSeconds: limit.windowSeconds,
    ...(response ? { stated: statedLimit(response.body) } : {}),
    ...(told === undefined ? {} : { retryAfterSeconds: told }),
  };
  const steps: Record<string, Exchange> = {};
  if (response?.status === 429) {
    if (told === undefined)
      notes.push(`no valid Retry-After: waited one window (${limit.windowSeconds} s) instead`);
    const wait = boundTargetWait(told ?? limit.windowSeconds, 'Retry-After', {
      windowSeconds: limit.windowSeconds,
      deadlineAt: run.deadlineAt - MARGIN_MS - run.timeoutMs,
    });
    budget.block(key, wait.ms / 1000);
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
    await sleep(wait.ms + MARGIN_MS);
    budget.book(key);
    steps.afterRetryAfter = await send(request, { timeoutMs: run.timeoutMs });
    learnTokens(session, steps.afterRetryAfter);
  }
  return { exchange: last as Exchange, notes, steps, facts };
}
