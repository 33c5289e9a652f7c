// test/fixtures/clients/gives-up.mjs (a 1 s timeout on token requests: it closes the slow
// request's connection, then asks again on a new one) run N times against slow-token-endpoint.
// Run it with the CPU busy (e.g. three `sh -c 'while :; do :; done'` for 40 s) as a shared CI
// machine is: the second request's connection is stamped in the same millisecond as the first's
// close, and client.token.reuse fails ("#1 was still in flight"). Usage: tsx repro/gives-up-under-load.ts [N]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runClientHarness } from '../src/client-harness/run.ts';

let bad = 0;
const n = Number(process.argv[2] ?? 10);
for (let i = 0; i < n; i++) {
  const { exitCode, runs, report } = await runClientHarness(
    {
      command: [process.execPath, 'test/fixtures/clients/gives-up.mjs'],
      scenarios: ['slow-token-endpoint'],
      reportsDir: mkdtempSync(join(tmpdir(), 'hb-gu-')),
      timeoutMs: 20_000,
      seed: 1,
    },
    { out: () => {} },
  );
  const tokens = runs[0]?.requests.filter((r) => r.kind === 'token') ?? [];
  if (exitCode !== 0) bad++;
  for (const tc of report.testcases)
    if (tc.outcome === 'failed') console.log(`   ${tc.name}: ${tc.reason}`);
  console.log(
    `run ${i}: exit ${exitCode}; #1 ${tokens[0]?.unanswered?.because} at +${tokens[0]?.unanswered?.closedAt?.toFixed(1)} ms, #2 sent +${tokens[1]?.sentBy.toFixed(1)} ms`,
  );
}
console.log(`wrong verdicts: ${bad}/${n}`);
