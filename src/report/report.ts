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
    /** The one case the entry allows (testcase `<requirement> [<case>]`); absent: every case. */
    case?: string;
    reason: string;
    expires: string;
    /**
     * allowed: it failed and was allowed; now-passing: every testcase it covers passed (stale:
     * remove it; fails the run unless `allowStale` is warn); expired: it fails the run; not-run:
     * none of its testcases ran, or none was judged.
     */
    status: 'allowed' | 'now-passing' | 'expired' | 'not-run';
  }[];
  /** What a now-passing (stale) allowance did to the run; absent in reports of older runs: fail. */
  allowStale?: 'fail' | 'warn';
  /** Errors outside any testcase: a suite that would not load. */
  crashes: string[];
  /**
   * Why the run stopped before any testcase could run (exit 3): the target could not be reached,
   * does not speak HTTP, failed TLS, timed out, or its container would not start.
   */
  aborted?: { kind: TargetFailureKind; reason: string };
  testcases: TestcaseRecord[];
  /**
   * A client harness run over several programs: their names, in the order they ran; each
   * testcase's `area` is its program (src/report/matrix.ts makes the matrix of them).
   */
  programs?: string[];
}
