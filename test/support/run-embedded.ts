// `oauth-conformance run` in a process of its own, for tests that need the run's result as data
// (the plan beside what the budget spent): prints one JSON line. Arguments: those of `run`.
import { parseArgs } from 'node:util';
import { runConformance } from '../../src/cli/run.ts';
import { resolveRunSettings } from '../../src/suite/config.ts';

const { values } = parseArgs({
  options: {
    reports: { type: 'string' },
    seed: { type: 'string' },
    config: { type: 'string' },
    fuzz: { type: 'string' },
  },
});
const settings = resolveRunSettings(values, {});
const result = await runConformance(settings, { out: () => {} });
process.stdout.write(
  `${JSON.stringify({
    exitCode: result.exitCode,
    elapsedMs: result.elapsedMs,
    plan: result.plan,
    spend: result.spend,
    spentByKey: result.spentByKey,
    failed: result.report.testcases
      .filter((record) => record.outcome === 'failed')
      .map((record) => `${record.name}: ${record.reason ?? ''}`.slice(0, 400)),
  })}\n`,
);
process.exit(0);
