// The rate limit, as a sequence: after a quiet window, a burst on the primary account must meet 429.
import { retryAfterSeconds } from '../src/budget.ts';
import { budgetKey, buildRequest, learnTokens } from '../src/cases.ts';
import type { CaseResult } from '../src/checks/index.ts';
import { type Exchange, send } from '../src/http.ts';
import type { Session } from '../src/session.ts';
import type { Case } from '../src/specs.ts';
import { defineCase } from '../src/suite.ts';

const burst: Case = {
  id: 'rate-limit-burst',
  title: 'burst past the limit',
  endpoint: 'token',
  trigger: 'request',
  request: { auth: { basic: 'primary' }, form: { grant_type: 'client_credentials' } },
  requirements: ['token.rate_limited.429', 'token.error.body', 'token.429.headers'],
};

async function runBurst(session: Session): Promise<CaseResult> {
  const { run, budget } = session;
  const limit = run.rateLimit;
  const { request, clientId } = buildRequest(session, burst);
  if (!limit) {
    throw new Error('no rate limit known');
  }
  const key = budgetKey(session, run.paths.token, clientId) ?? run.paths.token;
  await budget.drain(key);
  const started = performance.now();
  let last: Exchange | undefined;
  let successes = 0;
  let sent = 0;
  // Twice the limit: a server whose windows are aligned to the clock may let a burst through across a window's edge.
  while (sent < limit.requests * 2 + 1) {
    budget.book(key);
    last = await send(request, { timeoutMs: run.timeoutMs });
    sent += 1;
    learnTokens(session, last);
    const status = last.response?.status;
    if (status === 200) successes += 1;
    if (status === 429 || status === undefined) break;
  }
  const retryAfter = retryAfterSeconds(last?.response?.headers['retry-after']);
  budget.block(key, retryAfter ?? limit.windowSeconds);
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

defineCase(burst, runBurst);
