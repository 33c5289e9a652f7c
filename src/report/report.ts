/** The whole of a run as data: who, what, when, what it spent, and a record per testcase. */

import type { TargetFailureKind } from '../shared/errors.ts';
import type { ProfileName } from '../shared/types.ts';
import type { TestcaseRecord } from './record.ts';

export interface RunReport {
  tool: { name: 'oauth-conformance'; version: string };
  target: string;
  /** `client-program`: a client harness run, whose target is the program under test. */
  targetKind: 'embedded-mock' | 'url' | 'container' | 'client-program';
  profile: ProfileName;
  seed: number;
  startedAt: string;
  durationMs: number;
  plan: { token: number; revoke: number; leastWallMs: number };
  /** Requests sent to each rate-limited endpoint, and the 429s met outside the bursts. */
  spent: { token: number; revoke: number; unplanned429s: number };
  /** The --allow entries and what became of them. */
  allowances: {
    requirement: string;
    reason: string;
    expires: string;
    /** allowed: it failed and was allowed; now-passing: remove it; expired: it fails the run; not-run: not in this run. */
    status: 'allowed' | 'now-passing' | 'expired' | 'not-run';
  }[];
  /** Errors outside any testcase: a suite that would not load. */
  crashes: string[];
  /**
   * Why the run stopped before any testcase could run (exit 3): the target could not be reached,
   * does not speak HTTP, failed TLS, timed out, or its container would not start.
   */
  aborted?: { kind: TargetFailureKind; reason: string };
  testcases: TestcaseRecord[];
}
