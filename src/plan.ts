/**
 * The plan of a run: how many requests it will send to each rate-limited endpoint, and the least
 * wall time the limits allow for them in the order the suites send them. The time comes from
 * running the plan through the real budget on a simulated clock.
 */
import { applicableRequirements } from './applicability.ts';
import { type BudgetKey, createBudget } from './budget.ts';
import type { RunContext } from './config.ts';
import { AREA_ORDER, type Case, type Cost, getCatalog } from './specs.ts';

type Endpoint = 'token' | 'revoke';

interface PlannedStep {
  endpoint: Endpoint;
  /** Who the server counts the request against: an account role, `unknown`, or `none`. */
  account: string;
  /** `burst`: a fresh window, one past the limit, the Retry-After, and one more. */
  kind: 'request' | 'burst';
}

export interface Plan {
  requests: Record<Endpoint, number>;
  /** The least time the rate limits allow for the plan, in ms (no latency counted). */
  leastWallMs: number;
}

/** Sequences that use the run's shared token in code, not through a {{shared-token}} placeholder. */
const SEQUENCES_USING_SHARED_TOKEN = new Set(['revoke-lifecycle']);

function accountOf(c: Case): string {
  const auth = c.request.auth;
  if (!auth || 'header' in auth) return 'none';
  return auth.basic;
}

function stepsOf(c: Case, sharedTokenSeen: { value: boolean }, fuzzCount: number): PlannedStep[] {
  const steps: PlannedStep[] = [];
  const placeholders = Object.values(c.request.form ?? {});
  const usesShared =
    placeholders.includes('{{shared-token}}') || SEQUENCES_USING_SHARED_TOKEN.has(c.sequence ?? '');
  if (usesShared && !sharedTokenSeen.value) {
    sharedTokenSeen.value = true;
    steps.push({ endpoint: 'token', account: 'primary', kind: 'request' });
  }
  if (c.sequence && c.cost) {
    for (const endpoint of ['token', 'revoke'] as const) {
      const cost: Cost = c.cost[endpoint];
      if (cost === 'limit+2') steps.push({ endpoint, account: accountOf(c), kind: 'burst' });
      else if (cost === 'fuzz')
        for (let i = 0; i < fuzzCount; i++)
          steps.push({ endpoint, account: 'fuzz', kind: 'request' });
      else
        for (let i = 0; i < cost; i++)
          steps.push({ endpoint, account: 'primary', kind: 'request' });
    }
    return steps;
  }
  for (const value of placeholders) {
    if (value === '{{fresh-token}}')
      steps.push({ endpoint: 'token', account: 'primary', kind: 'request' });
  }
  if (c.endpoint !== 'probe')
    steps.push({ endpoint: c.endpoint, account: accountOf(c), kind: 'request' });
  return steps;
}

/** The cases the run will execute, in the order the suites run them. */
export function plannedCases(run: RunContext): Case[] {
  const cases = getCatalog().cases.filter((c) => applicableRequirements(run, c).runs.length > 0);
  return AREA_ORDER.flatMap((area) => cases.filter((c) => c.area === area));
}

export async function planRun(run: RunContext): Promise<Plan> {
  const sharedTokenSeen = { value: false };
  const steps = plannedCases(run).flatMap((c) => stepsOf(c, sharedTokenSeen, run.fuzz));
  let clock = 0;
  const limits = { [run.paths.token]: run.rateLimit, [run.paths.revoke]: run.revokeRateLimit };
  const budget = createBudget(limits, {
    marginMs: 0,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  });
  const requests: Record<Endpoint, number> = { token: 0, revoke: 0 };
  for (const step of steps) {
    const key: BudgetKey = { path: run.paths[step.endpoint], account: step.account };
    const limit = budget.limitOf(key.path);
    if (step.kind === 'burst' && limit) {
      await budget.drain(key);
      for (let i = 0; i <= limit.requests; i++) budget.book(key);
      budget.block(key, limit.windowSeconds);
      await budget.acquire(key);
      requests[step.endpoint] += limit.requests + 2;
    } else {
      await budget.acquire(key);
      requests[step.endpoint] += 1;
    }
  }
  return { requests, leastWallMs: clock };
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 100) / 10;
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}
