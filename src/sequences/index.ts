/**
 * Sequence cases: cases whose recipe is code (several requests, waits), named from specs/cases
 * by their `sequence` key. Everything else about them (requirements, trigger, title) is data.
 */
import type { CaseResult } from '../checks/index.ts';
import type { Session } from '../session.ts';
import type { Case } from '../specs.ts';
import { rateLimitBurst } from './rate-limit.ts';

export type Sequence = (session: Session, c: Case) => Promise<CaseResult>;

export const SEQUENCES: Readonly<Record<string, Sequence>> = {
  'rate-limit-burst': rateLimitBurst,
};
