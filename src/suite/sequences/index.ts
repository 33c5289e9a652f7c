/**
 * Sequence cases: cases whose recipe is code (several requests, waits), named from the cases
 * by their `sequence` key. Everything else about them (requirements, trigger, title) is data.
 */

import type { Case } from '../../contract/catalog.ts';
import type { CaseResult, Need } from '../checks/index.ts';
import type { RunContext } from '../config.ts';
import type { Session } from '../session.ts';
import { negotiateCredentialEncoding } from './credential-encoding.ts';
import { type StartedSequence, startTokenExpiry, tokenExpiry } from './expiry.ts';
import { fuzz } from './fuzz.ts';
import { rateLimitBurst } from './rate-limit.ts';
import { tokenReuse } from './reuse.ts';
import { revokeAndProbe, revokeLifecycle } from './revoke.ts';
import { startTokenLimit, tokenLimit, tokenLimitAccount } from './token-limit.ts';

/** What a sequence's cost depends on: the run's --fuzz and the limits it paces against. */
export type CostContext = Pick<
  RunContext,
  | 'fuzz'
  | 'rateLimit'
  | 'revokeRateLimit'
  | 'accounts'
  | 'maxActiveTokens'
  | 'maxActiveTokensByRole'
>;

/** Requests a sequence sends to each rate-limited endpoint. */
export interface Cost {
  token: number;
  revoke: number;
}

/** Everything about a sequence in one record: the plan, applicability and the suites read it. */
export interface Sequence {
  run: (session: Session, c: Case) => Promise<CaseResult>;
  /** What the target must offer for it to run at all (every testcase of its case is skipped without it). */
  needs: readonly Need[];
  /** Whether it uses the run's shared token (issued once a run, counted by no case's cost). */
  sharesToken: (c: Case, run: Pick<RunContext, 'resourceProbe'>) => boolean;
  /**
   * The requests it sends to each rate-limited endpoint, the shared token's aside; the least it
   * sends where that depends on the answers (credential-encoding: one unless refused). The plan
   * books the same (test/unit/plan.test.ts holds them together).
   */
  cost: (c: Case, run: CostContext) => Cost;
  /**
   * A sequence that waits long starts when the run does (the suites' first hook awaits its
   * `minted`) and runs beside the other cases; its testcases collect `result`.
   */
  start?: (session: Session, c: Case) => StartedSequence;
}

/** A case's own request and each `{{fresh-token}}` its form names: the token requests it costs. */
const freshTokens = (c: Case): number =>
  Object.values(c.request.form ?? {}).filter((value) => value === '{{fresh-token}}').length;

/** Requests a burst sends: the limit and one more at once, then one after the Retry-After. */
const burst = (limit: { requests: number } | null): number => (limit ? limit.requests + 2 : 0);

export const SEQUENCES: Readonly<Record<string, Sequence>> = {
  'credential-encoding': {
    run: negotiateCredentialEncoding,
    needs: [],
    sharesToken: () => false,
    cost: () => ({ token: 1, revoke: 0 }),
  },
  'rate-limit-burst': {
    run: rateLimitBurst,
    needs: ['rateLimit'],
    sharesToken: () => false,
    cost: (c, run) =>
      c.endpoint === 'revoke'
        ? { token: 0, revoke: burst(run.revokeRateLimit) }
        : { token: burst(run.rateLimit), revoke: 0 },
  },
  'revoke-lifecycle': {
    run: revokeLifecycle,
    needs: [],
    // It watches the shared token survive its own revocation, on the probe.
    sharesToken: (_c, run) => run.resourceProbe !== null,
    // Its fresh token and a new one after the revocation; the revocation and its repeat.
    cost: (c) => ({ token: freshTokens(c) + 1, revoke: 2 }),
  },
  'revoke-and-probe': {
    run: revokeAndProbe,
    needs: [],
    // The refusals are proven harmless on the shared token (src/suite/sequences/revoke.ts).
    sharesToken: (c) => Object.values(c.request.form ?? {}).includes('{{shared-token}}'),
    cost: (c) => ({ token: freshTokens(c), revoke: 1 }),
  },
  'token-expiry': {
    run: tokenExpiry,
    start: startTokenExpiry,
    needs: ['resourceProbe', 'tokenExpiry'],
    sharesToken: () => false,
    // Its own token, shortened by the fault hook or waited out.
    cost: () => ({ token: 1, revoke: 0 }),
  },
  'token-limit': {
    run: tokenLimit,
    start: startTokenLimit,
    needs: ['tokenLimit'],
    sharesToken: () => false,
    // The limit and one more token requests; the revocation of the limit's tokens.
    cost: (_c, run) => {
      const { limit } = tokenLimitAccount(run);
      return { token: limit + 1, revoke: limit };
    },
  },
  'token-reuse': {
    run: tokenReuse,
    needs: ['resourceProbe'],
    // The shared token, which other cases have asked for already: no token request of its own.
    sharesToken: () => true,
    cost: () => ({ token: 0, revoke: 0 }),
  },
  fuzz: {
    run: fuzz,
    needs: ['fuzz'],
    sharesToken: () => false,
    cost: (c, run) =>
      c.endpoint === 'revoke' ? { token: 0, revoke: run.fuzz } : { token: run.fuzz, revoke: 0 },
  },
};
