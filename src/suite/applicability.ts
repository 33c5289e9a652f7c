/**
 * Which testcases can run against a target: a case whose trigger the target cannot provide, or a
 * requirement whose check needs what the target lacks, is skipped with its reason, never passed.
 * Used by the suites (to skip) and by the plan (to count what will be spent).
 */

import { type Case, getRequirement, type Requirement } from '../contract/catalog.ts';
import { getCheck, type Need } from './checks/index.ts';
import type { RunContext } from './config.ts';
import { expirySkipReason } from './sequences/expiry.ts';
import { SEQUENCES } from './sequences/index.ts';
import { tokenLimitSkipReason } from './sequences/token-limit.ts';

/** Why this testcase cannot be brought about against this target, or undefined if it can. */
export function skipReason(run: RunContext, c: Case, requirement: Requirement): string | undefined {
  if (c.trigger === 'fault' && !run.faultHook) {
    return 'trigger fault: the target has no fault hook (set "faultHook": true in the config if it implements docs/fault-hook.md)';
  }
  if (c.trigger === 'fixture') {
    const auth = c.request.auth;
    const role = auth && 'basic' in auth ? auth.basic : undefined;
    if (role && role !== 'unknown' && !run.accounts[role]) {
      return `trigger fixture: no ${role} account is configured (config accounts.${role})`;
    }
  }
  // The case's own needs (a sequence's) skip all its testcases; a check's needs skip only its
  // own: without a probe the token case still runs and its other requirements are judged.
  const sequenceNeeds: readonly Need[] = c.sequence ? (SEQUENCES[c.sequence]?.needs ?? []) : [];
  const needs = new Set([...sequenceNeeds, ...(getCheck(requirement.check.name).needs ?? [])]);
  if (needs.has('resourceProbe') && !run.resourceProbe) {
    return `no resource probe: profile ${run.profile} has none (set resourceProbe in the config)`;
  }
  if (needs.has('rateLimit')) {
    const key = c.endpoint === 'revoke' ? 'revokeRateLimit' : 'rateLimit';
    if (!run[key]) {
      return `no rate limit is known for the ${c.endpoint} endpoint: profile ${run.profile} documents none (set ${key} in the config)`;
    }
  }
  if (needs.has('tokenExpiry')) {
    const reason = expirySkipReason(run);
    if (reason) return reason;
  }
  if (needs.has('tokenLimit')) {
    const reason = tokenLimitSkipReason(run);
    if (reason) return reason;
  }
  if (needs.has('fuzz') && run.fuzz === 0) {
    return 'no generated inputs asked for: --fuzz N sends N malformed requests per endpoint (they count against the rate limit)';
  }
  return undefined;
}

/** The requirements of a case that the run judges (the profile's); those that can run, and those skipped. */
export function applicableRequirements(
  run: RunContext,
  c: Case,
): { runs: Requirement[]; skipped: Requirement[] } {
  const inProfile = c.requirements.map((id) => getRequirement(run.profile, id));
  return {
    runs: inProfile.filter((r) => skipReason(run, c, r) === undefined),
    skipped: inProfile.filter((r) => skipReason(run, c, r) !== undefined),
  };
}
