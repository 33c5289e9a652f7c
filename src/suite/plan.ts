/**
 * The plan of a run: every request it will send to a rate-limited endpoint, in the order the
 * suites send them, under the key the budget books it by (the path and the client id named);
 * which ordinary account sends the requests that any of them could send; and the least wall time
 * the limits allow for all of it.
 *
 * The time comes from running those requests through the real budget (src/target/budget.ts) on a
 * simulated clock with no latency and no margin, so it is a true lower bound of the run's: each
 * request the run books is booked here too, under the same key, in the same order, and a run
 * (with latency, margins and the revocation watches) can only book each one later, never sooner.
 * Requests the target's limit does not count (those the fault hook answers) are not booked,
 * by either. The two rate-limit bursts run together (src/suite/sequences/rate-limit.ts), so each is
 * simulated from the moment the first one starts.
 */

import { AREA_ORDER, type Case, profileCatalog } from '../contract/catalog.ts';
import {
  ACCOUNT_ROLES,
  type AccountAssignment,
  type AccountRole,
  type OrdinaryRole,
} from '../shared/types.ts';
import { type Budget, type BudgetKey, createBudget, keyLabel } from '../target/budget.ts';
import { applicableRequirements } from './applicability.ts';
import { accountOwner, expiryRole } from './assignment.ts';
import type { RunContext } from './config.ts';
import { fakerFor, fuzzInputs, generatedClientId } from './fuzz-inputs.ts';
import { SEQUENCES } from './sequences/index.ts';
import { tokenLimitAccount } from './sequences/token-limit.ts';

export type Endpoint = 'token' | 'revoke';

/** The accounts whose tokens any case may use: the ones requests can be spread over. */
const ORDINARY: readonly OrdinaryRole[] = ['primary', 'secondary'];

export type { AccountAssignment, OrdinaryRole } from '../shared/types.ts';

/** What the run spends under one account (a role, `no client id`, or `other client ids`). */
export interface AccountSpend {
  account: string;
  token: number;
  revoke: number;
}

export interface Plan {
  /** Requests to each rate-limited endpoint, faulted ones included (the budget's spent() counts them). */
  requests: Record<Endpoint, number>;
  /** The same requests by the account they name, in a fixed order: primary, secondary, the other roles, none, others. */
  byAccount: AccountSpend[];
  /** The same requests by the budget's key label (src/target/budget.ts `keyLabel`): what the run's budget books them by. */
  byKey: Record<string, number>;
  /** The least time the rate limits allow for the plan, in ms (no latency counted). */
  leastWallMs: number;
  /** Who sends what any ordinary account could send; the run follows it (RunContext.accountAssignment). */
  assignment: AccountAssignment;
}

export interface PlannedStep {
  endpoint: Endpoint;
  /** The client id the request names, '' for none: with the path, the budget's key. */
  clientId: string;
  /** `burst`: a quiet window, the limit and one more at once, the Retry-After, one more. `unbooked`: faulted. */
  kind: 'request' | 'burst' | 'unbooked';
  /** The shared token's request, which no case's declared cost counts. */
  shared?: true;
}

/** The cases the run will execute, in the order the suites run them. */
export function plannedCases(run: RunContext): Case[] {
  const cases = profileCatalog(run.profile).cases.filter(
    (c) => applicableRequirements(run, c).runs.length > 0,
  );
  return AREA_ORDER.flatMap((area) => cases.filter((c) => c.area === area));
}

const PLACEHOLDER = /^\{\{([a-z-]+)\}\}$/;

/** What a step's choice between the ordinary accounts is about, and how soon each could go. */
interface Decision {
  id: string;
  kind: 'request' | 'burst';
  /** Ms until the request (or, for a burst, a quiet window) could go under each account. */
  readyIn: Record<OrdinaryRole, number>;
}
type Policy = (decision: Decision) => OrdinaryRole;

/** The account that can go soonest; primary when both can. */
const soonest: Policy = (d) => (d.readyIn.secondary < d.readyIn.primary ? 'secondary' : 'primary');

interface Prepared {
  cases: Case[];
  /** Each case's account owner (see {@link accountOwner}). */
  owners: Map<string, Case>;
  /** The client ids of each fuzz case's inputs as sent under each ordinary account. */
  fuzzIds: Map<string, Record<OrdinaryRole, string[]>>;
  /** The client id a case with generated credentials (`unknown`) names. */
  unknownIds: Map<string, string>;
}

function prepare(run: RunContext): Prepared {
  const cases = plannedCases(run);
  const owners = new Map(cases.map((c) => [c.id, accountOwner(run, c)]));
  const fuzzIds = new Map<string, Record<OrdinaryRole, string[]>>();
  const unknownIds = new Map<string, string>();
  const { primary, secondary } = run.accounts;
  for (const c of cases) {
    if (c.sequence === 'fuzz' && c.endpoint !== 'probe') {
      const asPrimary = fuzzInputs(run.seed, run.fuzz, c.endpoint as Endpoint, '', primary).map(
        (input) => input.clientId,
      );
      // An input that carries valid credentials names the account's id, and nothing else does.
      const asSecondary = asPrimary.map((id) =>
        secondary && id === primary.clientId ? secondary.clientId : id,
      );
      fuzzIds.set(c.id, { primary: asPrimary, secondary: asSecondary });
    }
    const auth = c.request.auth;
    if (auth && 'basic' in auth && auth.basic === 'unknown')
      unknownIds.set(c.id, generatedClientId(fakerFor(run.seed, c.id)));
  }
  return { cases, owners, fuzzIds, unknownIds };
}

interface Simulated {
  clockMs: number;
  decisions: Map<string, OrdinaryRole>;
  requests: Record<Endpoint, number>;
  byClientId: Map<string, Record<Endpoint, number>>;
}

/** Runs the plan through the budget on a simulated clock, choosing accounts with `policy`. */
async function simulate(
  run: RunContext,
  prepared: Prepared,
  policy: Policy,
  onSteps?: (c: Case, steps: PlannedStep[]) => void,
): Promise<Simulated> {
  let clock = 0;
  const limits = { [run.paths.token]: run.rateLimit, [run.paths.revoke]: run.revokeRateLimit };
  const budget: Budget = createBudget(limits, {
    marginMs: 0,
    secondMs: run.secondMs,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  });
  const decisions = new Map<string, OrdinaryRole>();
  const requests: Record<Endpoint, number> = { token: 0, revoke: 0 };
  const byClientId = new Map<string, Record<Endpoint, number>>();
  const idOf = (role: AccountRole) => run.accounts[role]?.clientId ?? '';
  // Keys as short as the budget can tell apart: ids may be kilobytes (the fuzz inputs').
  const shortIds = new Map<string, string>();
  const keyOf = (endpoint: Endpoint, clientId: string): BudgetKey => {
    let short = shortIds.get(clientId);
    if (short === undefined) {
      short = clientId === '' ? '' : `#${shortIds.size}`;
      shortIds.set(clientId, short);
    }
    return { path: run.paths[endpoint], account: short };
  };
  const hasSecondary = run.accounts.secondary !== undefined;
  const decide = (id: string, endpoint: Endpoint, kind: Decision['kind']): OrdinaryRole => {
    const known = decisions.get(id);
    if (known) return known;
    let role: OrdinaryRole = 'primary';
    if (hasSecondary) {
      const readyIn = (r: OrdinaryRole) => {
        const key = keyOf(endpoint, idOf(r));
        return kind === 'burst' ? budget.quietIn(key) : budget.readyIn(key);
      };
      role = policy({
        id,
        kind,
        readyIn: { primary: readyIn('primary'), secondary: readyIn('secondary') },
      });
    }
    decisions.set(id, role);
    return role;
  };
  let sharedIssued = false;

  const stepsOf = (c: Case): PlannedStep[] => {
    const steps: PlannedStep[] = [];
    const owner = prepared.owners.get(c.id) ?? c;
    const auth = c.request.auth;
    // The owner's first request: its fresh token's, or its own.
    const fresh = Object.values(owner.request.form ?? {}).includes('{{fresh-token}}');
    const assigned = owner.anyAccount
      ? decide(
          owner.id,
          fresh ? 'token' : (owner.endpoint as Endpoint),
          owner.sequence === 'rate-limit-burst' ? 'burst' : 'request',
        )
      : undefined;
    let clientId = '';
    if (auth && 'basic' in auth) {
      clientId =
        auth.basic === 'unknown'
          ? (prepared.unknownIds.get(c.id) ?? '')
          : idOf(assigned ?? auth.basic);
    }
    const freshRole: OrdinaryRole = assigned ?? 'primary';
    const shared = () => {
      if (sharedIssued) return;
      sharedIssued = true;
      steps.push({ endpoint: 'token', clientId: idOf('primary'), kind: 'request', shared: true });
    };
    const placeholders = () => {
      const seen = new Set<string>();
      for (const value of Object.values(c.request.form ?? {})) {
        const name = PLACEHOLDER.exec(value)?.[1];
        if (!name || seen.has(name)) continue;
        seen.add(name);
        if (name === 'shared-token') shared();
        if (name === 'fresh-token')
          steps.push({ endpoint: 'token', clientId: idOf(freshRole), kind: 'request' });
      }
    };
    const endpoint = c.endpoint as Endpoint;
    switch (c.sequence) {
      case undefined:
        placeholders();
        if (c.endpoint !== 'probe')
          steps.push({
            endpoint,
            clientId,
            kind: c.fault?.status !== undefined ? 'unbooked' : 'request',
          });
        break;
      case 'credential-encoding':
        // The least it sends: one request, accepted or refused for good (more only when refused).
        steps.push({ endpoint: 'token', clientId, kind: 'request' });
        break;
      case 'revoke-lifecycle':
        // The fresh token, the shared one (only with a probe to watch it on), the revocation and
        // its repeat, a new token (src/suite/sequences/revoke.ts).
        placeholders();
        if (SEQUENCES['revoke-lifecycle']?.sharesToken(c, run)) shared();
        steps.push({ endpoint, clientId, kind: 'request' });
        steps.push({ endpoint, clientId, kind: 'request' });
        steps.push({ endpoint: 'token', clientId: idOf('primary'), kind: 'request' });
        break;
      case 'revoke-and-probe':
        placeholders();
        steps.push({ endpoint, clientId, kind: 'request' });
        break;
      case 'fuzz': {
        const ids = prepared.fuzzIds.get(c.id);
        if (!ids) break;
        ids.primary.forEach((primaryId, i) => {
          const flexible = ids.secondary[i] !== primaryId;
          const role = flexible ? decide(`${c.id}#${i}`, endpoint, 'request') : 'primary';
          steps.push({ endpoint, clientId: ids[role][i] ?? primaryId, kind: 'request' });
        });
        break;
      }
      case 'rate-limit-burst':
        placeholders();
        steps.push({ endpoint, clientId, kind: 'burst' });
        break;
      case 'token-limit': {
        // First of all, alone on its account: the limit and one more, then a revocation each.
        const { role, limit } = tokenLimitAccount(run);
        const id = idOf(role);
        for (let i = 0; i <= limit; i++)
          steps.push({ endpoint: 'token', clientId: id, kind: 'request' });
        for (let i = 0; i < limit; i++)
          steps.push({ endpoint: 'revoke', clientId: id, kind: 'request' });
        break;
      }
      case 'token-reuse':
        shared();
        break;
      case 'token-expiry':
        // Its own token, first of all (it starts with the run: src/early-start.ts).
        steps.push({ endpoint: 'token', clientId: idOf(expiryRole(run)), kind: 'request' });
        break;
      default:
        throw new Error(`the plan does not know sequence ${c.sequence} (case ${c.id})`);
    }
    onSteps?.(c, steps);
    return steps;
  };

  const tally = (step: PlannedStep, count: number) => {
    requests[step.endpoint] += count;
    const row = byClientId.get(step.clientId) ?? { token: 0, revoke: 0 };
    row[step.endpoint] += count;
    byClientId.set(step.clientId, row);
  };
  const perform = async (step: PlannedStep) => {
    const key = keyOf(step.endpoint, step.clientId);
    const limit = budget.limitOf(key.path);
    if (step.kind === 'unbooked') {
      budget.count(key);
      tally(step, 1);
    } else if (step.kind === 'burst' && limit) {
      await budget.drain(key);
      for (let i = 0; i <= limit.requests; i++) budget.book(key);
      budget.block(key, limit.windowSeconds);
      await budget.acquire(key);
      tally(step, limit.requests + 2);
    } else {
      await budget.acquire(key);
      tally(step, 1);
    }
  };

  const bursts = prepared.cases.filter((c) => c.sequence === 'rate-limit-burst');
  // Sequences that start with the run send first (src/early-start.ts).
  const early = (c: Case) => (c.sequence && SEQUENCES[c.sequence]?.start ? 0 : 1);
  const ordered = [...prepared.cases].sort((a, b) => early(a) - early(b));
  for (const c of ordered) {
    if (c.sequence === 'rate-limit-burst') {
      // Every burst starts when the first does; the run ends when the last one has.
      if (c !== bursts[0]) continue;
      const start = clock;
      let end = start;
      for (const burst of bursts) {
        clock = start;
        for (const step of stepsOf(burst)) await perform(step);
        end = Math.max(end, clock);
      }
      clock = end;
      continue;
    }
    for (const step of stepsOf(c)) await perform(step);
  }
  return { clockMs: clock, decisions, requests, byClientId };
}

/**
 * The steps the plan books for each case, in order, every choice primary: what the cases' declared
 * costs (the cases' `cost`) must agree with. Tests use it.
 */
export async function plannedSteps(run: RunContext): Promise<Map<string, PlannedStep[]>> {
  const steps = new Map<string, PlannedStep[]>();
  await simulate(
    run,
    prepare(run),
    () => 'primary',
    (c, list) => steps.set(c.id, list),
  );
  return steps;
}

/**
 * Plans the run: its requests, the least wall time the limits allow, and who sends what. With a
 * secondary account, each case any ordinary account could send goes to the account chosen by
 * rollout: in the order the run meets them, each choice is the one that, with the choices made so
 * far and the rest sent by whichever account can go soonest, ends the simulated run soonest
 * (primary on a tie); the generated inputs of a fuzz case go to whichever can go soonest. With
 * one account nothing is chosen.
 */
export async function planRun(run: RunContext): Promise<Plan> {
  const prepared = prepare(run);
  const fixed = new Map<string, OrdinaryRole>();
  const withFixed =
    (override?: [string, OrdinaryRole]): Policy =>
    (d) =>
      override && d.id === override[0] ? override[1] : (fixed.get(d.id) ?? soonest(d));
  let result = await simulate(run, prepared, withFixed());
  if (run.accounts.secondary && result.decisions.size > 0) {
    // Case by case; a fuzz case's inputs (ids with `#`) go to whichever account can go soonest,
    // which does as well here at a tenth of the simulations (the plan is on the run's start-up path).
    for (const id of [...result.decisions.keys()].filter((decision) => !decision.includes('#'))) {
      let best: { role: OrdinaryRole; sim: Simulated } | undefined;
      for (const role of ORDINARY) {
        const sim = await simulate(run, prepared, withFixed([id, role]));
        if (!best || sim.clockMs < best.sim.clockMs) best = { role, sim };
      }
      if (best) {
        fixed.set(id, best.role);
        result = best.sim;
      }
    }
  }
  const byKey: Record<string, number> = {};
  for (const [clientId, counts] of result.byClientId)
    for (const endpoint of ['token', 'revoke'] as const)
      if (counts[endpoint] > 0)
        byKey[keyLabel({ path: run.paths[endpoint], account: clientId })] = counts[endpoint];
  return {
    requests: result.requests,
    byAccount: spendByAccount(run, result.byClientId),
    byKey,
    leastWallMs: result.clockMs,
    assignment: assignmentOf(prepared, result.decisions),
  };
}

function assignmentOf(prepared: Prepared, decisions: Map<string, OrdinaryRole>): AccountAssignment {
  const assignment: AccountAssignment = { cases: {}, fuzz: {} };
  for (const [id, role] of decisions) {
    const hash = id.indexOf('#');
    if (hash < 0) {
      if (role !== 'primary') assignment.cases[id] = role;
      continue;
    }
    const caseId = id.slice(0, hash);
    const index = Number(id.slice(hash + 1));
    const size = prepared.fuzzIds.get(caseId)?.primary.length ?? 0;
    const roles: OrdinaryRole[] =
      assignment.fuzz[caseId] ?? Array.from({ length: size }, (): OrdinaryRole => 'primary');
    roles[index] = role;
    assignment.fuzz[caseId] = roles;
  }
  return assignment;
}

const NO_CLIENT_ID = 'no client id';
const OTHER_IDS = 'other client ids';

function spendByAccount(
  run: RunContext,
  byClientId: Map<string, Record<Endpoint, number>>,
): AccountSpend[] {
  const rows = new Map<string, AccountSpend>();
  const roleOf = (clientId: string): string => {
    if (clientId === '') return NO_CLIENT_ID;
    for (const role of ACCOUNT_ROLES) if (run.accounts[role]?.clientId === clientId) return role;
    return OTHER_IDS;
  };
  for (const [clientId, counts] of byClientId) {
    const account = roleOf(clientId);
    const row = rows.get(account) ?? { account, token: 0, revoke: 0 };
    row.token += counts.token;
    row.revoke += counts.revoke;
    rows.set(account, row);
  }
  const order: string[] = [...ACCOUNT_ROLES, NO_CLIENT_ID, OTHER_IDS];
  return [...rows.values()].sort((a, b) => order.indexOf(a.account) - order.indexOf(b.account));
}

/**
 * What a run's budget spent (its `spent()`: requests by key label), by account, in the plan's
 * terms: the spent line beside the plan line.
 */
export function spentByAccount(run: RunContext, spent: Record<string, number>): AccountSpend[] {
  const byClientId = new Map<string, Record<Endpoint, number>>();
  for (const [label, count] of Object.entries(spent)) {
    for (const endpoint of ['token', 'revoke'] as const) {
      const prefix = `${run.paths[endpoint]} [`;
      if (!label.startsWith(prefix) || !label.endsWith(']')) continue;
      const named = label.slice(prefix.length, -1);
      const clientId = label === keyLabel({ path: run.paths[endpoint], account: '' }) ? '' : named;
      const row = byClientId.get(clientId) ?? { token: 0, revoke: 0 };
      row[endpoint] += count;
      byClientId.set(clientId, row);
      break;
    }
  }
  return spendByAccount(run, byClientId);
}

/** `primary 20/17, secondary 16/10, …`: token/revoke requests per account, for the plan line. */
export function formatSpendByAccount(rows: readonly AccountSpend[]): string {
  return rows.map((row) => `${row.account} ${row.token}/${row.revoke}`).join(', ');
}
