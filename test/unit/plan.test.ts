// The plan: what a run will spend on each rate-limited endpoint, and the least time the limits allow.
import { describe, expect, test } from 'vitest';
import type { RunContext } from '../../src/config.ts';
import { plannedCases, planRun } from '../../src/plan.ts';
import { statedLimit, statedLimitIn } from '../../src/rate-limit-text.ts';
import { testRunContext } from '../support/run-context.ts';

const RUN: RunContext = testRunContext();

describe('planRun', () => {
  test('planRun [atlas, real limits: counts and least wall time]', async () => {
    const plan = await planRun(RUN);
    // Measured against the embedded mock: the run spends exactly these (see the CLI's spent line).
    expect(plan.requests).toEqual({ token: 32, revoke: 26 });
    // Primary's token requests outrun one window several times over, and each burst waits a window.
    expect(plan.leastWallMs).toBeGreaterThanOrEqual(3 * 60_000);
    expect(plan.leastWallMs).toBeLessThan(10 * 60_000);
  });

  test('planRun [a faster window shortens the plan, not the counts]', async () => {
    const fast = await planRun({
      ...RUN,
      rateLimit: { requests: 10, windowSeconds: 2 },
      revokeRateLimit: { requests: 10, windowSeconds: 2 },
    });
    const real = await planRun(RUN);
    expect(fast.requests).toEqual(real.requests);
    expect(fast.leastWallMs * 25).toBeLessThan(real.leastWallMs);
  });

  test('plannedCases [no fault hook, no fixtures: those cases are not planned]', () => {
    const run = { ...RUN, faultHook: false, accounts: { primary: RUN.accounts.primary } };
    const ids = plannedCases(run).map((c) => c.id);
    expect(ids).not.toContain('server-error');
    expect(ids).not.toContain('access-denied');
    expect(ids).not.toContain('revoke-other-client');
    expect(ids).toContain('success');
    expect(ids.at(-1)).toBe('revoke-rate-limit-burst');
  });

  test('planRun [rfc6749 without limits: no waiting]', async () => {
    const plan = await planRun({
      ...RUN,
      profile: 'rfc6749',
      rateLimit: null,
      revokeRateLimit: null,
    });
    expect(plan.leastWallMs).toBe(0);
    expect(plan.requests.token).toBeGreaterThan(5);
  });
});

describe('statedLimit', () => {
  test.each([
    [
      'Resource /api/oauth/token is limited to 10 requests every 1 minutes.',
      { requests: 10, windowSeconds: 60 },
    ],
    [
      'Resource /api/oauth/token is limited to 50 requests every 1 minutes.',
      { requests: 50, windowSeconds: 60 },
    ],
    ['Resource /x is limited to 10 requests every 2 seconds.', { requests: 10, windowSeconds: 2 }],
    ['limited to 1 request every 1 hour', { requests: 1, windowSeconds: 3600 }],
  ])('statedLimitIn [%j]', (text, limit) => {
    expect(statedLimitIn(text)).toEqual(limit);
  });

  test('statedLimitIn [no limit in the text]', () => {
    expect(statedLimitIn('Too Many Requests')).toBeUndefined();
  });

  test('statedLimit [the ApiError detail]', () => {
    const body = JSON.stringify({
      detail: 'Resource /api/oauth/token is limited to 10 requests every 1 minutes.',
      error: 429,
    });
    expect(statedLimit(body)).toEqual({ requests: 10, windowSeconds: 60 });
  });

  test('statedLimit [not JSON]', () => {
    expect(statedLimit('<html>')).toBeUndefined();
  });
});
