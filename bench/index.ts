/**
 * `npm run bench`: a benchmark, not a timed test. Measures side by side, in one run on this
 * machine, prints every ratio beside its target, and keeps the tables in BENCHMARKS.md with the
 * machine, its load, the versions and the command. `--quick` leaves out the several-minute
 * rate-limit run. The targets live here and nowhere else (issue 17).
 *
 * While working on one part: `--throughput` runs only the throughput part and prints it without
 * rewriting BENCHMARKS.md; with it, `--servers mock:ES256,oidc-provider` measures only those
 * servers (names as bench/serve.ts takes them), `--rounds N` sets the rounds, and
 * `--cpu-prof DIR` has each server's process write a V8 CPU profile into DIR as it stops.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { countOutcomes } from '../src/report/record.ts';
import { packagePath } from '../src/shared/paths.ts';
import { formatDuration } from '../src/shared/text.ts';
import { EMBEDDED_SECOND_MS } from '../src/suite/config.ts';
import { formatSpendByAccount } from '../src/suite/plan.ts';
import { measureDefaultRun } from './default-run.ts';
import { profileDefaultRun, SLICE_MS } from './profile.ts';
import { measureRateLimitBudget, planWithoutSecondary } from './rate-limit-budget.ts';
import { measureStartup } from './startup.ts';
import { LOAD, measureThroughput, SERVERS } from './throughput.ts';

const argv = process.argv.slice(2);
/** The value after `--name`, or undefined. */
const option = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) {
    process.stderr.write(`bench: ${name} needs a value\n`);
    process.exit(2);
  }
  return value;
};
const known = new Set(['--quick', '--throughput', '--servers', '--rounds', '--cpu-prof']);
for (const [i, arg] of argv.entries()) {
  const isValue = i > 0 && ['--servers', '--rounds', '--cpu-prof'].includes(argv[i - 1] ?? '');
  if (!isValue && !known.has(arg)) {
    process.stderr.write(`bench: unknown option ${arg} (see bench/index.ts)\n`);
    process.exit(2);
  }
}
const quick = argv.includes('--quick');
const throughputOnly = argv.includes('--throughput');
const onlyServers = option('--servers')?.split(',');
const unknownServer = onlyServers?.find((name) => !(SERVERS as readonly string[]).includes(name));
if (unknownServer !== undefined) {
  process.stderr.write(`bench: unknown server ${unknownServer}: one of ${SERVERS.join(', ')}\n`);
  process.exit(2);
}
const roundsText = option('--rounds');
const rounds = roundsText === undefined ? LOAD.rounds : Number(roundsText);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
  process.stderr.write(`bench: --rounds must be an integer from 1 to 50, got ${roundsText}\n`);
  process.exit(2);
}
const cpuProfDir = option('--cpu-prof');
if (!throughputOnly && (onlyServers || roundsText !== undefined || cpuProfDir)) {
  process.stderr.write('bench: --servers, --rounds and --cpu-prof go with --throughput\n');
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`${line}\n`);
const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
const version = (name: string) =>
  (
    JSON.parse(readFileSync(packagePath('node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');

/** A ratio beside its target, as the tables show it, and whether it is met. */
interface Ratio {
  what: string;
  value: number;
  target: string;
  met: boolean;
}
const ratios: Ratio[] = [];
function ratio(what: string, value: number, target: `<= ${number}` | `>= ${number}`): Ratio {
  const bound = Number(target.slice(3));
  const met = target.startsWith('<=') ? value <= bound : value >= bound;
  const entry = { what, value, target, met };
  ratios.push(entry);
  return entry;
}
const shown = (r: Ratio) => `${r.value.toFixed(2)} (target ${r.target}${r.met ? '' : ', MISSED'})`;
const sections: string[] = [];
const loads: string[] = [`at the start: ${load()}`];

// The run before issue 17 at the live limits (BENCHMARKS.md as the issue quotes it): its plan
// stated 6 min 0 s as the least the limits allow, and the run took 5 min 3 s.
const BEFORE = { statedLeastMs: 6 * 60_000, measuredMs: 5 * 60_000 + 3_000 };

if (!throughputOnly) {
  log('1/4 the default run (npm start) and the vitest floor, 3 runs each');
  const { run, floor, lines } = measureDefaultRun();
  const wall = ratio(
    'default run / vitest floor, wall time',
    run.wallSeconds / floor.wallSeconds,
    '<= 2',
  );
  sections.push(
    `## The default run beside the vitest floor\n\n${table(
      [
        'measure',
        'npm start (every testcase vs the embedded mock)',
        'vitest, one empty test file',
        'ratio',
      ],
      [
        [
          'wall time',
          `${run.wallSeconds.toFixed(2)} s`,
          `${floor.wallSeconds.toFixed(2)} s`,
          shown(wall),
        ],
        [
          'peak memory (RSS)',
          `${run.peakMiB.toFixed(0)} MiB`,
          `${floor.peakMiB.toFixed(0)} MiB`,
          (run.peakMiB / floor.peakMiB).toFixed(2),
        ],
      ],
    )}\n\nMedian of 3 runs each, under GNU time. The run's own account of its rate-limit waits (the embedded mock's clock: 10 per 2 s, a second of it ${EMBEDDED_SECOND_MS} ms):\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``,
  );
  loads.push(`after the default run: ${load()}`);

  log('   and once under the CPU profiler, to say where its time goes');
  const profiled = profileDefaultRun();
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  sections.push(
    `## Where the default run's time goes\n\nOne run under V8's sampling profiler (\`node --cpu-prof\`: ${profiled.threads
      .map((t) => `the ${t.thread} thread ${ms(t.wallMs)}, from ${ms(t.startMs)}`)
      .join(
        '; ',
      )}). Each sample is put in a bucket by the code that was running: ours by layer of \`src/\`, a dependency by its name, \`idle\` when the thread waited (timers, sockets, the other thread). The main thread runs the CLI and the embedded mock; the suites thread is vitest's worker, where the testcases run. The profiles stay in ${profiled.dir} for Chrome DevTools.\n\n${profiled.threads
      .map(
        (t) =>
          `### ${t.thread}\n\n${table(
            ['bucket', 'time', 'share'],
            t.buckets
              .filter(([, value]) => value >= 5)
              .map(([name, value]) => [
                name,
                ms(value),
                `${((100 * value) / t.wallMs).toFixed(0)} %`,
              ]),
          )}\n\nBy ${SLICE_MS} ms of the run (from the process's start), the two largest buckets:\n\n\`\`\`\n${t.timeline
            .map(
              (slice) =>
                `${String(slice.atMs).padStart(5)} ms  ${slice.top.map(([name, value]) => `${name} ${value.toFixed(0)}`).join(', ')}`,
            )
            .join('\n')}\n\`\`\``,
      )
      .join('\n\n')}`,
  );

  log('2/4 start-up: --help, and run up to its first request, 5 runs each');
  const startup = await measureStartup();
  sections.push(
    `## Start-up\n\n${table(
      ['measure', 'wall time', 'peak memory (RSS)', 'note'],
      [
        [
          '`oauth-conformance --help`',
          `${startup.help.wallSeconds.toFixed(2)} s`,
          `${startup.help.peakMiB.toFixed(0)} MiB`,
          'node and the command line, from dist/ (before issue 16, through the TypeScript loader tsx: 0.68 s)',
        ],
        [
          '`oauth-conformance run --target URL`, to its first request',
          `${startup.runToFirstRequestSeconds.toFixed(2)} s`,
          '',
          'as above, plus configuration, catalog, the run and vitest modules, the plan (through tsx: 1.41 s)',
        ],
        [
          'vitest, one empty test file (the floor above)',
          `${floor.wallSeconds.toFixed(2)} s`,
          `${floor.peakMiB.toFixed(0)} MiB`,
          'for scale',
        ],
      ],
    )}\n\nMedians of 5 runs. No target here. The CLI runs from its build (\`dist/\`, issue 16): no TypeScript loader at run time; the figures through tsx are those of the last bench before that change, on the same kind of machine.`,
  );
}

log(
  `3/4 throughput on loopback, ${LOAD.connections} connections, each server in its own process; the signing limit: ${rounds} rounds of ${LOAD.seconds} s per target`,
);
const { rows: throughput, signingLimit } = await measureThroughput({
  rounds,
  ...(onlyServers ? { servers: onlyServers } : {}),
  ...(cpuProfDir ? { cpuProfDir } : {}),
});
const find = (prefix: string) => throughput.find((row) => row.target.startsWith(prefix));
const faithful = throughput.find((row) => row.tokenFormat === 'ES512');
const probe = find('reference mock: GET /api/atlas/v2/');
const oidc = find('node-oidc-provider');
const throughputRatios: string[][] = [];
if (faithful) {
  const faithfulRatio = ratio(
    'faithful (ES512) tokens/s / P-521 signatures/s on all cores',
    faithful.requestsPerSecond / signingLimit,
    '>= 0.8',
  );
  throughputRatios.push([
    `faithful (ES512) ${faithful.requestsPerSecond} tokens/s over the signing limit, ${signingLimit} P-521 signatures/s on all ${cpus().length} cores`,
    shown(faithfulRatio),
  ]);
}
if (probe) {
  const probeRatio = ratio('probe requests/s / 20,000', probe.requestsPerSecond / 20_000, '>= 1');
  throughputRatios.push([
    `probe ${probe.requestsPerSecond} requests/s over 20,000`,
    shown(probeRatio),
  ]);
}
const floorRow = find('bare node:http');
if (probe && floorRow) {
  // No target: how far the probe is from what Node's HTTP server alone reaches under this load.
  throughputRatios.push([
    `probe ${probe.requestsPerSecond} requests/s over a bare node:http server's ${floorRow.requestsPerSecond} (server CPU per request ${probe.cpuMsPerRequest.toFixed(3)} ms over ${floorRow.cpuMsPerRequest.toFixed(3)} ms)`,
    `${(probe.requestsPerSecond / floorRow.requestsPerSecond).toFixed(2)} (no target: the floor of any Node server here)`,
  ]);
}
if (oidc) {
  for (const row of throughput) {
    if (!row.tokenFormat || row.tokenFormat === 'ES512') continue;
    const r = ratio(
      `load mode (${row.tokenFormat}) tokens/s / node-oidc-provider's`,
      row.requestsPerSecond / oidc.requestsPerSecond,
      '>= 1.5',
    );
    throughputRatios.push([r.what, shown(r)]);
  }
}
sections.push(
  `## Token endpoint throughput\n\n${table(
    [
      'target',
      'requests/s',
      'server CPU ms per request',
      'load generator CPU ms per request',
      'p50 ms',
      'p99 ms',
      'errors or non-2xx',
    ],
    throughput.map((row) => [
      row.target,
      String(row.requestsPerSecond),
      row.cpuMsPerRequest.toFixed(3),
      row.loadCpuMsPerRequest.toFixed(3),
      String(row.p50Ms),
      String(row.p99Ms),
      String(row.non2xx),
    ]),
  )}\n\n${table(['ratio', 'value'], throughputRatios)}\n\nHow it is measured, the same for every server: each server runs alone in a child process of the bench (bench/serve.ts, under the same TypeScript loader), and the load generator, autocannon ${version('autocannon')}, in the bench's own process: ${LOAD.connections} connections, ${LOAD.pipelining} request in flight per connection (no pipelining), keep-alive, the same request each time (POST with HTTP Basic client authentication and \`grant_type=client_credentials\`; the probe: GET with the Bearer token). Every target first gets ${LOAD.warmupSeconds} s of load that is not counted; then each figure is the median of ${rounds} rounds, and within a round every target, and the signing limit, is measured in turn for ${LOAD.seconds} s, so that each ratio compares figures taken under the same drift of the shared machine's load (errors are summed over the rounds). Server CPU ms per request is the server process's CPU time (every thread: its event loop and, for the faithful mock, its signing pool) over the requests answered, a cost that a busy machine hardly moves where requests/s moves with it; the load generator's is beside it. Server and load generator share the machine's ${cpus().length} cores: on loopback a server can answer no faster than the load generator asks. The signing limit is measured alone in the bench's process, one worker thread signing per core, while the servers sit idle. The faithful mock signs on a pool of worker threads once it is busy (src/mock/sign-pool.ts).`,
);
loads.push(`after the throughput runs: ${load()}`);

if (!quick && !throughputOnly) {
  log('4/4 the full atlas profile at the live limits, 10 per 60 s (a few minutes)');
  const oneAccount = await planWithoutSecondary();
  const result = await measureRateLimitBudget(log);
  const leastRatio = ratio(
    'least wall time at the live limits / before (6 min 0 s)',
    result.plan.leastWallMs / BEFORE.statedLeastMs,
    '<= 0.6',
  );
  const measuredRatio = ratio(
    'wall time at the live limits / before (5 min 3 s)',
    result.elapsedMs / BEFORE.measuredMs,
    '<= 0.6',
  );
  const pace = ratio(
    'wall time / least the limits allow',
    result.elapsedMs / result.plan.leastWallMs,
    '<= 1.2',
  );
  const exact = ratio(
    'least the limits allow / wall time (a lower bound: <= 1)',
    result.plan.leastWallMs / result.elapsedMs,
    '<= 1',
  );
  const unplanned = ratio('unplanned 429s', result.spend.unplanned429s, '<= 0');
  sections.push(
    `## The rate-limit budget at the live limits\n\n${table(
      ['measure', 'value', 'note'],
      [
        [
          'requests (token / revoke)',
          `${result.spend.token} / ${result.spend.revoke}`,
          `planned ${result.plan.requests.token} / ${result.plan.requests.revoke}`,
        ],
        [
          'by account (token/revoke)',
          formatSpendByAccount(result.plan.byAccount),
          'planned; the secondary account takes what any account may send',
        ],
        [
          'wall time',
          formatDuration(result.elapsedMs),
          `before: ${formatDuration(BEFORE.measuredMs)}; ${shown(measuredRatio)}`,
        ],
        [
          'least wall time the limits allow',
          formatDuration(result.plan.leastWallMs),
          `the plan on a simulated clock, no latency; before: ${formatDuration(BEFORE.statedLeastMs)}; ${shown(leastRatio)}`,
        ],
        [
          'the same with one account',
          formatDuration(oneAccount.leastWallMs),
          'the plan without the secondary account: nothing to spread over',
        ],
        ['wall / least', shown(pace), ''],
        ['least / wall', shown(exact), 'the plan is a lower bound'],
        [
          'unplanned 429s',
          String(result.spend.unplanned429s),
          unplanned.met ? 'target 0' : 'target 0, MISSED',
        ],
        ['testcases failed', String(countOutcomes(result.report.testcases).failed), 'expected 0'],
      ],
    )}\n\nThe full atlas profile against the reference mock set to 10 requests per 60 s on the token and the revoke endpoint (its secondary account is configured, as the embedded mock's always is). The requests before the bursts fit two windows spread over both accounts, and the two bursts, run together, each wait a quiet window of their own account and then their Retry-After once.`,
  );
  loads.push(`after the rate-limit run: ${load()}`);
}

const missed = ratios.filter((r) => !r.met);
const header = `# Benchmarks\n\nLast measured with \`npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, vitest ${version('vitest')}, undici ${version('undici')}, autocannon ${version('autocannon')}, oidc-provider ${version('oidc-provider')}, oauth2-mock-server ${version('oauth2-mock-server')}. The machine is shared: load average (1, 5, 15 min) ${loads.join('; ')}.`;
const summary = `## Every ratio beside its target\n\n${table(
  ['ratio', 'value', 'target', 'met'],
  ratios.map((r) => [r.what, r.value.toFixed(2), r.target, r.met ? 'yes' : 'no']),
)}`;
const verdict = missed.length
  ? `\n\n${missed.length} of ${ratios.length} targets missed (see the notes above and the closing note of issue 17 for where the time goes).`
  : '\n\nEvery target met.';
const text = `${header}\n\n${summary}${verdict}\n\n${sections.join('\n\n')}\n`;
process.stdout.write(text);
// A partial run (--throughput) prints its tables without replacing the whole run's.
if (!throughputOnly) writeFileSync(packagePath('BENCHMARKS.md'), text);
process.exitCode = missed.length ? 1 : 0;
