/**
 * `npm run mutants`: the suite against every deliberately broken variant of the reference mock
 * (test/support/broken-mocks.ts), one deviation each. Prints a row per variant (detected or not,
 * by which requirement ids) and the mutation score on its last line. Exits 1 below 100%.
 */
import { type MockHandle, startMock } from '../src/mock/index.ts';
import {
  BROKEN_VARIANTS,
  type BrokenVariant,
  MOCK_TOKEN_LIMITS,
  VARIANT_SEED,
} from '../test/support/broken-mocks.ts';
import { failedRequirementIds, runSuite } from '../test/support/cli.ts';

const LIMIT = { requests: 10, windowSeconds: 2 };
const CONCURRENCY = 2;

interface Row {
  variant: BrokenVariant;
  failed: string[];
}

async function judge(variant: BrokenVariant): Promise<Row> {
  const mock: MockHandle = await startMock({
    rateLimit: LIMIT,
    seed: VARIANT_SEED,
    ...variant.options,
  });
  try {
    const config = {
      accounts: mock.accounts,
      rateLimit: LIMIT,
      revokeRateLimit: LIMIT,
      faultHook: true,
      revocationWaitSeconds: 2,
      ...MOCK_TOKEN_LIMITS,
      ...variant.config,
    };
    const run = await runSuite(`mutant-${variant.name}`, mock.url, config, [
      '--seed',
      '42',
      ...(variant.args ?? []),
    ]);
    return { variant, failed: failedRequirementIds(run.cases) };
  } finally {
    await mock.close();
  }
}

const queue = [...BROKEN_VARIANTS];
const rows: Row[] = [];
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (let variant = queue.shift(); variant; variant = queue.shift()) {
      const row = await judge(variant);
      rows.push(row);
      process.stderr.write(
        `  ${row.failed.length > 0 ? 'detected' : 'MISSED  '} ${variant.name}\n`,
      );
    }
  }),
);
rows.sort((a, b) => BROKEN_VARIANTS.indexOf(a.variant) - BROKEN_VARIANTS.indexOf(b.variant));

const lines = [
  '| variant | deviation | detected | by | as expected |',
  '| --- | --- | --- | --- | --- |',
];
for (const { variant, failed } of rows) {
  const expected = [...variant.expectedFailures].sort();
  const exact = JSON.stringify(expected) === JSON.stringify(failed);
  const flags = variant.args?.length ? ` (${variant.args.join(' ')})` : '';
  lines.push(
    `| ${variant.name}${flags} | ${variant.deviation} | ${failed.length > 0 ? 'yes' : 'NO'} | ${failed.join(', ') || '-'} | ${exact ? 'yes' : 'no'} |`,
  );
}
const detected = rows.filter((row) => row.failed.length > 0).length;
const score = (100 * detected) / rows.length;
process.stdout.write(
  `${lines.join('\n')}\n\nmutation score: ${detected}/${rows.length} (${score.toFixed(1)}%)\n`,
);
process.exitCode = detected === rows.length ? 0 : 1;
