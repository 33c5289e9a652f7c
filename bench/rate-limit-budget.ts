/**
 * The full atlas profile against the reference mock at the live service's real limits, 10
 * requests per 60 s per endpoint: the run's wall time over the least wall time those limits allow
 * for its requests (target <= 1.2), the unplanned 429s (target 0), and both beside what the same
 * run took before issue 17 (target <= 0.6). Several minutes: the point is to wait exactly as long
 * as the limits require.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunResult, runConformance } from '../src/cli/run.ts';
import { generateAccounts } from '../src/mock/index.ts';
import { type RunContext, resolveRunSettings } from '../src/suite/config.ts';
import { type Plan, planRun } from '../src/suite/plan.ts';

const REAL_LIMIT = { requests: 10, windowSeconds: 60 };

function settings() {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-conformance-bench-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ rateLimit: REAL_LIMIT, revokeRateLimit: REAL_LIMIT }));
  return resolveRunSettings({ config, reports: join(dir, 'reports'), seed: '1' }, {});
}

/**
 * The plan of the same run with the secondary account taken away (the accounts the embedded mock
 * generates from the seed, less that one): what the run needs when there is nothing to spread
 * requests over.
 */
export async function planWithoutSecondary(): Promise<Plan> {
  const resolved = settings();
  const { secondary: _, ...accounts } = generateAccounts(resolved.seed);
  const context: RunContext = {
    ...resolved,
    target: 'http://127.0.0.1:1',
    targetKind: 'embedded-mock',
    accounts,
    deadlineAt: Date.now() + resolved.deadlineMs,
    spendFile: '/dev/null',
    tokensFile: '/dev/null',
  };
  return planRun(context);
}

export async function measureRateLimitBudget(log: (line: string) => void): Promise<RunResult> {
  return runConformance(settings(), {
    // Only the plan and the totals: the per-testcase lines are not the point here.
    out: (line) => {
      if (/^ {2}(plan|limits) |^spent |^passed /.test(line)) log(line);
    },
  });
}
