/**
 * Who sends what, as the plan (plan.ts) assigned it: the account of a case, of its fresh token and
 * of each generated input. Read by the cases and sequences while they run; plan.ts decides.
 */
import type { BasicAuthRole, Case } from '../contract/catalog.ts';
import { findCase } from '../contract/catalog.ts';
import type { Account, OrdinaryRole } from '../shared/types.ts';
import type { RunContext } from './config.ts';

/** The case whose account a case sends as: itself, or the anyAccount baseline it follows. */
export function accountOwner(run: RunContext, c: Case): Case {
  if (c.anyAccount || !c.baseline) return c;
  const baseline = findCase(run.profile, c.baseline);
  return baseline?.anyAccount ? baseline : c;
}

/**
 * The role whose credentials a case's Basic header carries (undefined: no Basic credentials):
 * its own, or, for a case any ordinary account may send, the one the plan assigned.
 */
export function caseRole(run: RunContext, c: Case): BasicAuthRole | undefined {
  const auth = c.request.auth;
  if (!auth || !('basic' in auth)) return undefined;
  const owner = accountOwner(run, c);
  return owner.anyAccount ? (run.accountAssignment?.cases[owner.id] ?? auth.basic) : auth.basic;
}

/** The account a case's `{{fresh-token}}` is issued to: the case's own when any may send it, else primary. */
export function freshTokenRole(run: RunContext, c: Case): OrdinaryRole {
  const owner = accountOwner(run, c);
  return owner.anyAccount ? (run.accountAssignment?.cases[owner.id] ?? 'primary') : 'primary';
}

/** The account of each generated input of a fuzz case, as the plan assigned it. */
export function fuzzAccount(run: RunContext, c: Case): (index: number) => Account {
  const roles = run.accountAssignment?.fuzz[c.id] ?? [];
  return (index) => run.accounts[roles[index] ?? 'primary'] ?? run.accounts.primary;
}

/**
 * Whose token is watched: the secondary account's when there is one. The token request goes
 * before any other (the watch starts with the run), where the primary account's first window is
 * what every other case needs; the secondary's is nearly free.
 */
export function expiryRole(run: Pick<RunContext, 'accounts'>): 'primary' | 'secondary' {
  return run.accounts.secondary ? 'secondary' : 'primary';
}
