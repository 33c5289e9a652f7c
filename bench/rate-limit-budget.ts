/**
 * The full atlas profile against the reference mock at the live service's real limits, 10
 * requests per 60 s per endpoint: the run's wall time over the least wall time those limits allow
 * for its requests (target <= 1.2), and the unplanned 429s (target 0). Several minutes: the point
 * is to wait exactly as long as the limits require.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunSettings } from '../src/config.ts';
import { type RunResult, runConformance } from '../src/run.ts';

const REAL_LIMIT = { requests: 10, windowSeconds: 60 };

export async function measureRateLimitBudget(log: (line: string) => void): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-conformance-bench-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ rateLimit: REAL_LIMIT, revokeRateLimit: REAL_LIMIT }));
  const settings = resolveRunSettings({ config, reports: join(dir, 'reports'), seed: '1' }, {});
  return runConformance(settings, {
    // Only the plan and the totals: the per-testcase lines are not the point here.
    out: (line) => {
      if (/^ {2}(plan|limits) |^spent |^passed /.test(line)) log(line);
    },
  });
}
