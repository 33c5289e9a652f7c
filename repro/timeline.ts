// Runs the client harness on one scenario and prints the recorded timeline (both moments of every
// request) and every verdict: to see what the judgements saw. Usage:
//   npx tsx repro/timeline.ts SCENARIO SEED -- program args...
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeline } from '../src/client-harness/observe.ts';
import { runClientHarness } from '../src/client-harness/run.ts';

const [scenario = 'normal', seed = '1', , ...command] = process.argv.slice(2);
const result = await runClientHarness(
  {
    command,
    scenarios: [scenario],
    reportsDir: mkdtempSync(join(tmpdir(), 'hb-tl-')),
    timeoutMs: 20_000,
    seed: Number(seed),
  },
  { out: () => {} },
);
for (const run of result.runs) {
  console.log(`revokedAt ${run.revokedAt ?? '-'}; exit ${run.program.exitCode}`);
  for (const line of timeline(run.requests)) console.log(`  ${line}`);
  console.log(
    run.program.stdout
      .trim()
      .split('\n')
      .map((l) => `  out: ${l}`)
      .join('\n'),
  );
}
for (const t of result.report.testcases)
  if (!/basic-auth|raw-client-id|form-body|no-credentials|bearer-issued|bounded/.test(t.name))
    console.log(
      `${t.outcome.padEnd(7)} ${t.name}${t.reason ? `: ${t.reason}` : ''}${t.notes.length ? ` (${t.notes.join('; ')})` : ''}`,
    );
