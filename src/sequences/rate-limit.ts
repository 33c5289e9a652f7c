/** The rate-limit burst: after a quiet window, requests on the primary account until one meets 429. */
import { retryAfterSeconds } from '../budget.ts';
import { budgetKey, buildRequest, CaseSetupError, learnTokens } from '../cases.ts';
import type { CaseResult } from '../checks/index.ts';
import { type Exchange, send } from '../http.ts';
import type { Session } from '../session.ts';
import type { Case } from '../specs.ts';

export async function rateLimitBurst(session: Session, c: Case): Promise<CaseResult> {
  const { run, budget } = session;
  const limit = run.rateLimit;
  if (!limit) throw new CaseSetupError('no rate limit is known for this target');
  const { request, clientId } = buildRequest(session, c);
  const key = budgetKey(session, run.paths.token, clientId) ?? run.paths.token;
  await budget.drain(key);
  const started = performance.now();
  let last: Exchange | undefined;
  let successes = 0;
  let sent = 0;
  // Up to twice the limit: a server whose windows are aligned to the clock may let a burst
  // through across a window's edge.
  while (sent < limit.requests * 2 + 1) {
    budget.book(key);
    last = await send(request, { timeoutMs: run.timeoutMs });
    sent += 1;
    learnTokens(session, last);
    const status = last.response?.status;
    if (status === 200) successes += 1;
    if (status === 429 || status === undefined) break;
  }
  budget.block(
    key,
    retryAfterSeconds(last?.response?.headers['retry-after']) ?? limit.windowSeconds,
  );
  return {
    exchange: last as Exchange,
    notes: [],
    facts: {
      sent,
      successes,
      elapsedMs: Math.round(performance.now() - started),
      limit: limit.requests,
    },
  };
}
