/**
 * Benchmark (not a timed test): the full atlas profile against the reference mock at the live
 * service's real limits, 10 requests per 60 s per endpoint. Reports the run's wall time over the
 * least wall time those limits allow for its requests (target <= 1.2) and the unplanned 429s
 * (target 0). Takes several minutes: the point is to wait exactly as long as the limits require.
 *
 *   npm run bench
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunSettings } from '../src/config.ts';
import { formatDuration } from '../src/plan.ts';
import { runConformance } from '../src/run.ts';

const REAL_LIMIT = { requests: 10, windowSeconds: 60 };

const dir = mkdtempSync(join(tmpdir(), 'oauth-conformance-bench-'));
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ rateLimit: REAL_LIMIT, revokeRateLimit: REAL_LIMIT }));
const settings = resolveRunSettings({ config, reports: join(dir, 'reports'), seed: '1' }, {});

process.stdout.write(
  `full atlas profile against the reference mock at ${REAL_LIMIT.requests} per ${REAL_LIMIT.windowSeconds} s (several minutes)\n`,
);
const result = await runConformance(settings, {
  // Only the plan, the waits and the totals: the per-testcase lines are not the point here.
  out: (line) => {
    if (/^ {2}(plan|limits) |^spent |^passed /.test(line)) process.stdout.write(`${line}\n`);
  },
});
const ratio = result.elapsedMs / result.plan.leastWallMs;
const rows = [
  [
    'requests (token / revoke)',
    `${result.spend.token} / ${result.spend.revoke}`,
    `planned ${result.plan.requests.token} / ${result.plan.requests.revoke}`,
  ],
  ['wall time', formatDuration(result.elapsedMs), ''],
  ['least wall time the limits allow', formatDuration(result.plan.leastWallMs), ''],
  ['wall / least', ratio.toFixed(3), 'target <= 1.2'],
  ['unplanned 429s', String(result.spend.unplanned429s), 'target 0'],
  ['testcases failed', String(result.tally.failed), 'expected 0'],
];
process.stdout.write('\n| measure | value | note |\n| --- | --- | --- |\n');
for (const [measure, value, note] of rows)
  process.stdout.write(`| ${measure} | ${value} | ${note} |\n`);
const missed = ratio > 1.2 || result.spend.unplanned429s > 0 || result.tally.failed > 0;
process.exitCode = missed ? 1 : 0;
