/**
 * Sequences that wait long (a token's lifetime) start when the run does, so that their wait
 * overlaps the other cases instead of adding to the run: the suites' first hook starts them and
 * waits only until each has done what must not overlap other requests (see Sequence.start).
 */

import { profileCatalog } from '../contract/catalog.ts';
import { applicableRequirements } from './applicability.ts';
import { expiryWaitMs } from './sequences/expiry.ts';
import { SEQUENCES } from './sequences/index.ts';
import { tokenLimitAccount } from './sequences/token-limit.ts';
import type { Session } from './session.ts';

const started = new WeakMap<Session, Promise<void>>();

/** Starts every applicable case whose sequence has a `start`, once per session. */
export function startEarly(session: Session): Promise<void> {
  let pending = started.get(session);
  if (pending) return pending;
  // One after the other, in the catalog's order: each holds its account alone until `minted`.
  pending = (async () => {
    for (const c of profileCatalog(session.run.profile).cases) {
      const start = c.sequence ? SEQUENCES[c.sequence]?.start : undefined;
      if (!start || session.results.has(c.id)) continue;
      if (applicableRequirements(session.run, c).runs.length === 0) continue;
      const run = start(session, c);
      session.results.set(c.id, run.result);
      await run.minted;
    }
  })();
  started.set(session, pending);
  return pending;
}

/** The long waits and costly checks a run plans, one phrase each, for the plan's line (empty when none). */
export function plannedWaits(run: Session['run']): string[] {
  const waits: string[] = [];
  for (const c of profileCatalog(run.profile).cases) {
    if (applicableRequirements(run, c).runs.length === 0) continue;
    if (c.sequence === 'token-limit') {
      const { role, limit } = tokenLimitAccount(run);
      const own = role === 'tokenLimit' ? ', an account nothing else uses' : '';
      waits.push(
        `the active-token limit (${limit}) is checked first: ${limit + 1} token and ${limit} revoke requests of the ${role} account${own}`,
      );
    }
    if (c.sequence !== 'token-expiry') continue;
    const how = run.faultHook
      ? 'given a short life by the fault hook'
      : `its lifetime, ${run.tokenLifetimeSeconds} s`;
    waits.push(
      `a token's expiry is watched for ${formatSeconds(expiryWaitMs(run))} (${how}) beside the other cases`,
    );
  }
  return waits;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * How long the sequences that start with the run may keep a hook or a testcase waiting, in ms:
 * the suites' timeouts grow by it (a token's lifetime waited out, the limit's requests paced).
 */
export function earlyWaitMs(run: Session['run']): number {
  const windows = (limit: Session['run']['rateLimit'], requests: number) =>
    limit ? Math.ceil(requests / limit.requests) * limit.windowSeconds * run.secondMs : 0;
  let ms = 0;
  for (const c of profileCatalog(run.profile).cases) {
    if (applicableRequirements(run, c).runs.length === 0) continue;
    if (c.sequence === 'token-expiry') ms += expiryWaitMs(run);
    if (c.sequence === 'token-limit') {
      const { limit } = tokenLimitAccount(run);
      ms += windows(run.rateLimit, limit + 1) + windows(run.revokeRateLimit, limit);
    }
  }
  return ms;
}
