// The plan: what a run will spend on each rate-limited endpoint, and the least time the limits allow.
import { describe, expect, test } from 'vitest';
import { findCase } from '../../src/contract/catalog.ts';
import { caseRole, freshTokenRole } from '../../src/suite/assignment.ts';
import type { RunContext } from '../../src/suite/config.ts';
import { fuzzInputs } from '../../src/suite/fuzz-inputs.ts';
import { formatSpendByAccount, plannedCases, plannedSteps, planRun } from '../../src/suite/plan.ts';
import { statedLimit, statedLimitIn } from '../../src/suite/rate-limit-text.ts';
import { SEQUENCES } from '../../src/suite/sequences/index.ts';
import { keyLabel } from '../../src/target/budget.ts';
import { testRunContext } from '../support/run-context.ts';

const RUN: RunContext = testRunContext();
const ONE_ACCOUNT: RunContext = {
  ...RUN,
  accounts: {
    primary: RUN.accounts.primary,
    accessDenied: RUN.accounts.accessDenied,
    invalidGrant: RUN.accounts.invalidGrant,
  },
};
const caseById = (id: string) => {
  const found = findCase('atlas', id);
  if (!found) throw new Error(`no case ${id}`);
  return found;
};

describe('planRun', () => {
  test('planRun [atlas, real limits: counts and least wall time]', async () => {
    const plan = await planRun(RUN);
    // Measured against the embedded mock: the run spends exactly these (see the CLI's spent line).
    expect(plan.requests).toEqual({ token: 33, revoke: 27 });
    // The requests before the bursts fit two windows over two accounts; the bursts, together,
    // wait their Retry-After once.
    expect(plan.leastWallMs).toBe(2 * 60_000);
  });

  // Issue 17: the plan said 6 min 0 s where the run took 5 min 3 s. It booked the fuzz inputs
  // under one made-up key, the requests of other accounts (and of none) under primary's, and the
  // faulted requests, which the target's limit does not count.
  test('planRun [every request under the key the budget books it by]', async () => {
    const run = { ...RUN, fuzz: 15 };
    const plan = await planRun(run);
    const labels = Object.keys(plan.byKey);
    const { token, revoke } = run.paths;
    for (const endpoint of ['token', 'revoke'] as const) {
      const roles = plan.assignment.fuzz[`${endpoint}-fuzz`] ?? [];
      const inputs = fuzzInputs(
        run.seed,
        15,
        endpoint,
        '',
        (i) => run.accounts[roles[i] ?? 'primary'] ?? run.accounts.primary,
      );
      for (const input of inputs)
        expect(labels).toContain(keyLabel({ path: run.paths[endpoint], account: input.clientId }));
    }
    // revoke-no-client-auth names no client; revoke-other-client the secondary account.
    expect(labels).toContain(keyLabel({ path: revoke, account: '' }));
    expect(plan.byKey[keyLabel({ path: revoke, account: 'mdb_sa_id_b' })]).toBeGreaterThan(0);
    expect(labels.filter((label) => /\[(fuzz|none|primary|unknown)\]/.test(label))).toEqual([]);
    const total = (path: string) =>
      Object.entries(plan.byKey)
        .filter(([label]) => label.startsWith(`${path} [`))
        .reduce((sum, [, count]) => sum + count, 0);
    expect({ token: total(token), revoke: total(revoke) }).toEqual(plan.requests);
  });

  test('plannedSteps [a faulted request is counted, not booked: the fault hook answers it before the limit]', async () => {
    const steps = await plannedSteps(RUN);
    expect(steps.get('server-error')?.map((step) => step.kind)).toEqual(['unbooked']);
    expect(steps.get('revoke-unavailable')?.map((step) => step.kind)).toEqual(['unbooked']);
    expect(steps.get('success')?.map((step) => step.kind)).toEqual(['request']);
  });

  test('plannedSteps [each sequence books what its record says it costs]', async () => {
    const run = { ...RUN, fuzz: 4 };
    const steps = await plannedSteps(run);
    for (const c of plannedCases(run).filter((candidate) => candidate.sequence)) {
      const own = (steps.get(c.id) ?? []).filter((step) => !step.shared);
      for (const endpoint of ['token', 'revoke'] as const) {
        const mine = own.filter((step) => step.endpoint === endpoint);
        const cost = SEQUENCES[c.sequence ?? '']?.cost(c, run)[endpoint] ?? 0;
        if (c.sequence === 'rate-limit-burst' && cost > 0) {
          // One burst step: the limit and one more at once, one after the Retry-After.
          expect(
            mine.map((step) => step.kind),
            c.id,
          ).toEqual(['burst']);
          const limit = endpoint === 'token' ? run.rateLimit : run.revokeRateLimit;
          expect(cost).toBe((limit?.requests ?? 0) + 2);
        } else expect(mine, `${c.id} ${endpoint}`).toHaveLength(cost);
      }
    }
  });

  test('planRun [one account: nothing is spread, every request stays where the case puts it]', async () => {
    const plan = await planRun({ ...ONE_ACCOUNT, fuzz: 15 });
    expect(plan.assignment).toEqual({ cases: {}, fuzz: {} });
    expect(plan.byAccount.map((row) => row.account)).toEqual([
      'primary',
      'accessDenied',
      'invalidGrant',
      'no client id',
      'other client ids',
    ]);
    // Primary's token requests span three windows before the bursts, which wait one more.
    expect(plan.leastWallMs).toBe(4 * 60_000);
  });

  test("planRun [a secondary account: at most 0.6 of one account's least wall time at the live limits]", async () => {
    const one = await planRun({ ...ONE_ACCOUNT, fuzz: 15 });
    const two = await planRun({ ...RUN, fuzz: 15 });
    expect(two.leastWallMs).toBeLessThanOrEqual(0.6 * one.leastWallMs);
    const secondary = two.byAccount.find((row) => row.account === 'secondary');
    expect((secondary?.token ?? 0) + (secondary?.revoke ?? 0)).toBeGreaterThan(10);
    // The same requests, only some under the other account.
    expect(two.requests.token).toBe(one.requests.token);
    expect(formatSpendByAccount(two.byAccount)).toMatch(/^primary \d+\/\d+, secondary \d+\/\d+, /);
  });

  test('caseRole [a case follows its anyAccount baseline; a case no account may replace keeps its own]', () => {
    const run = {
      ...RUN,
      accountAssignment: { cases: { success: 'secondary' as const }, fuzz: {} },
    };
    expect(caseRole(run, caseById('success'))).toBe('secondary');
    expect(caseRole(run, caseById('pretty-success'))).toBe('secondary');
    expect(caseRole(run, caseById('wrong-secret'))).toBe('primary');
    expect(caseRole(run, caseById('revoke-other-client'))).toBe('secondary');
    expect(caseRole(run, caseById('revoke-wrong-secret'))).toBe('primary');
    expect(caseRole(run, caseById('no-client-auth'))).toBeUndefined();
    expect(freshTokenRole(run, caseById('revoke-lifecycle'))).toBe('primary');
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
    // The bursts last of what spends budget; after them only the reuse of the shared token,
    // which spends none (the expiry is skipped: no fault hook, a lifetime of an hour).
    expect(ids.slice(-2)).toEqual(['revoke-rate-limit-burst', 'token-reuse']);
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
