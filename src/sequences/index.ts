/**
 * Sequence cases: cases whose recipe is code (several requests, waits), named from specs/cases
 * by their `sequence` key. Everything else about them (requirements, trigger, title) is data.
 */
import type { CaseResult, Need } from '../checks/index.ts';
import type { Session } from '../session.ts';
import type { Case } from '../specs.ts';
import { rateLimitBurst } from './rate-limit.ts';
import { revokeAndProbe, revokeLifecycle } from './revoke.ts';

export interface Sequence {
  run: (session: Session, c: Case) => Promise<CaseResult>;
  /** What the target must offer for the sequence to run at all; otherwise its testcases are skipped. */
  needs: Need[];
}

export const SEQUENCES: Readonly<Record<string, Sequence>> = {
  'rate-limit-burst': { run: rateLimitBurst, needs: ['rateLimit'] },
  'revoke-lifecycle': { run: revokeLifecycle, needs: [] },
  'revoke-and-probe': { run: revokeAndProbe, needs: [] },
};
