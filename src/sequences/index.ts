/**
 * Sequence cases: cases whose recipe is code (several requests, waits), named from the cases
 * by their `sequence` key. Everything else about them (requirements, trigger, title) is data.
 */
import type { CaseResult } from '../checks/index.ts';
import type { Session } from '../session.ts';
import type { Case } from '../specs.ts';
import { negotiateCredentialEncoding } from './credential-encoding.ts';
import { fuzz } from './fuzz.ts';
import { rateLimitBurst } from './rate-limit.ts';
import { revokeAndProbe, revokeLifecycle } from './revoke.ts';

/** What the target must offer for a sequence to run at all is in applicability.ts (SEQUENCE_NEEDS). */
export interface Sequence {
  run: (session: Session, c: Case) => Promise<CaseResult>;
}

export const SEQUENCES: Readonly<Record<string, Sequence>> = {
  'credential-encoding': { run: negotiateCredentialEncoding },
  'rate-limit-burst': { run: rateLimitBurst },
  'revoke-lifecycle': { run: revokeLifecycle },
  'revoke-and-probe': { run: revokeAndProbe },
  fuzz: { run: fuzz },
};
