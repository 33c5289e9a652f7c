/**
 * The command line: `oauth-conformance run`, `mock` and `client`. Bad input gets one
 * clear line and exit status 2; errors map to exit statuses in one table (errors.ts).
 */

import { ConformanceError, classifyError, EXIT_CODES } from '../shared/errors.ts';
import { TOOL_VERSION } from '../shared/paths.ts';
import { oneLine } from '../shared/text.ts';
import { resolveRunSettings } from '../suite/config.ts';
import { DURATION_LIMITS } from '../target/waits.ts';
import { parseFlags, wholeNumber } from './args.ts';
import { mockCommand } from './mock.ts';

const RUN_USAGE = `usage: oauth-conformance run [--target URL] [--profile NAME|PATH]
                             [--config FILE] [--reports DIR] [--strict] [--accept-drift]
                             [--allow FILE] [--allow-stale fail|warn] [--ca FILE]
                             [--allow-insecure-http] [--fuzz N] [--seed N]
                             [--wait-token-expiry] [--check-token-limit]

Runs the conformance suite against --target (default: the embedded reference mock) and writes
<reports>/junit.xml, result.json and index.html (default reports/). Credentials come from
MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET or the config file (README: Configuration).`;

const MOCK_USAGE = `usage: oauth-conformance mock [--host ADDRESS] [--port N] [--seed N] [--rate-limit N/SECONDS]
                              [--revoke-rate-limit N/SECONDS] [--token-lifetime SECONDS]
                              [--show-secrets] [--no-fault-hook] [--token-format ES512|ES256|EdDSA|opaque]
                              [--max-active-tokens N] [--print-config FILE]

Runs the reference mock until interrupted and prints its URL, seed, limits, token lifetime and
accounts. --print-config FILE also writes a config (its target, accounts, faultHook, limits) for
\`oauth-conformance run --config FILE\` against it.`;

const CLIENT_USAGE = `usage: oauth-conformance client [--scenario NAME ...] [--reports DIR] [--timeout SECONDS]
                                [--seed N] [--strict] [--list] -- <command> [args...]
       oauth-conformance client [--scenario NAME ...] [...] --programs FILE

Runs <command> once per scenario against a fresh reference mock (scripted faults: --list names
them), judges what it sent and writes <reports>/junit.xml. --programs FILE runs several programs
({"programs": [{"name", "command": [...]}]}) into one report whose index.html shows a clients x
requirements matrix.`;

const MERGE_USAGE = `usage: oauth-conformance merge DIR... [--reports OUT]

Merges the reports of several runs (each DIR as run --reports wrote it) into one junit.xml,
result.json and index.html in OUT (default reports/).`;

const DIFF_USAGE = `usage: oauth-conformance diff BASE/result.json HEAD/result.json [--json]

Compares two result.json files: new failures, fixes, lost testcases, changed limits (exit 1 on a
new failure or a lost testcase).`;

const EXIT_STATUSES = `exit status: 0 conforming, 1 conformance failures (client: a judgement failed; rfc-should
             and observed findings warn unless --strict, as for run), 2 usage or configuration error, 3 target unreachable, not speaking HTTP or stopped answering
             mid-run (a container that cannot start), 4 this machine (reports directory not
             writable, disk full, an optional dependency missing), 5 internal error (a bug),
             130 stopped by Ctrl-C`;

const USAGE = `usage:
  oauth-conformance run [--target URL] [--profile NAME|PATH] [--config FILE]
                        [--reports DIR] [--strict] [--accept-drift] [--allow FILE]
                        [--allow-stale fail|warn] [--ca FILE] [--allow-insecure-http]
                        [--fuzz N] [--seed N] [--wait-token-expiry] [--check-token-limit]
  oauth-conformance mock [--host ADDRESS] [--port N] [--seed N] [--rate-limit N/SECONDS]
                         [--revoke-rate-limit N/SECONDS] [--token-lifetime SECONDS] [--show-secrets]
                         [--no-fault-hook] [--token-format ES512|ES256|EdDSA|opaque]
                         [--max-active-tokens N] [--print-config FILE]
  oauth-conformance client [--scenario NAME ...] [--reports DIR] [--timeout SECONDS] [--seed N]
                           [--strict] [--list] -- <command> [args...]
  oauth-conformance client [--scenario NAME ...] [...] --programs FILE
  oauth-conformance merge DIR... [--reports OUT]
  oauth-conformance diff BASE/result.json HEAD/result.json [--json]
  oauth-conformance --version | --help | <command> --help

run    runs the conformance suite against --target (default: the embedded reference mock)
       and writes <reports>/junit.xml (default reports/).
mock   runs the reference mock until interrupted and prints its URL and accounts.
client runs <command> once per scenario against a fresh reference mock (scripted faults:
       --list names them), judges what it sent and writes <reports>/junit.xml.
       --programs FILE runs several programs ({"programs": [{"name", "command": [...]}]}) into
       one report whose index.html shows a clients x requirements matrix.
merge  merges the reports of several runs (each DIR as run --reports wrote it) into one
       junit.xml, result.json and index.html in OUT (default reports/).
diff   compares two result.json files: new failures, fixes, lost testcases, changed limits
       (exit 1 on a new failure or a lost testcase).

${EXIT_STATUSES}`;

/** Each command's --help. */
const COMMAND_USAGE: Record<string, string> = {
  run: `${RUN_USAGE}\n\n${EXIT_STATUSES}`,
  mock: MOCK_USAGE,
  client: `${CLIENT_USAGE}\n\n${EXIT_STATUSES}`,
  merge: `${MERGE_USAGE}\n\n${EXIT_STATUSES}`,
  diff: `${DIFF_USAGE}\n\n${EXIT_STATUSES}`,
};

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Set once stdout is closed by its reader (\`run | head -3\`): the rest goes to the reports only. */
let stdoutClosed = false;
let stdoutGuarded = false;

const defaultIo: CliIo = {
  out: (line) => {
    if (!stdoutClosed) process.stdout.write(`${line}\n`);
  },
  err: (line) => {
    process.stderr.write(`${line}\n`);
  },
};

/**
 * A reader that closes stdout early (\`| head\`) makes the next write fail with EPIPE, which Node
 * raises as an unhandled 'error' event (a stack trace and exit 1, no reports). The run goes on
 * without printing, writes its reports, and exits with its own verdict: nothing of it was lost.
 */
function keepRunningWhenStdoutCloses(io: CliIo): void {
  // Always our own listener: a library's (loaded before) may be gone by the time the pipe closes.
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    if (error.code !== 'EPIPE')
      io.err(
        `oauth-conformance: stdout failed (${error.code ?? error.message}); the reports are still written`,
      );
  });
}

/** Whether \`args\` (a command's own, before any \`--\`) ask for its help. */
function wantsHelp(args: readonly string[]): boolean {
  const split = args.indexOf('--');
  return (split < 0 ? args : args.slice(0, split)).some((arg) => arg === '--help' || arg === '-h');
}

async function runCommand(args: string[], io: CliIo): Promise<number> {
  const values = parseFlags(args, {
    target: { type: 'string' },
    profile: { type: 'string' },
    config: { type: 'string' },
    reports: { type: 'string' },
    strict: { type: 'boolean' },
    seed: { type: 'string' },
    'accept-drift': { type: 'boolean' },
    allow: { type: 'string' },
    'allow-stale': { type: 'string' },
    ca: { type: 'string' },
    fuzz: { type: 'string' },
    'allow-insecure-http': { type: 'boolean' },
    'wait-token-expiry': { type: 'boolean' },
    'check-token-limit': { type: 'boolean' },
  });
  const {
    'accept-drift': acceptDrift,
    'allow-insecure-http': allowInsecureHttp,
    'allow-stale': allowStale,
    'wait-token-expiry': waitTokenExpiry,
    'check-token-limit': checkTokenLimit,
    ...rest
  } = values;
  const settings = resolveRunSettings({
    ...rest,
    ...(allowStale === undefined ? {} : { allowStale }),
    ...(acceptDrift ? { acceptDrift } : {}),
    ...(allowInsecureHttp ? { allowInsecureHttp } : {}),
    ...(waitTokenExpiry ? { waitTokenExpiry } : {}),
    ...(checkTokenLimit ? { checkTokenLimit } : {}),
  });
  const { runConformance } = await import('./run.ts');
  const result = await runConformance(settings, { out: io.out });
  return result.exitCode;
}

async function clientCommand(args: string[], io: CliIo): Promise<number> {
  const split = args.indexOf('--');
  const own = split < 0 ? args : args.slice(0, split);
  const command = split < 0 ? [] : args.slice(split + 1);
  const values = parseFlags(
    own,
    {
      scenario: { type: 'string', multiple: true },
      reports: { type: 'string' },
      timeout: { type: 'string' },
      seed: { type: 'string' },
      strict: { type: 'boolean' },
      list: { type: 'boolean' },
      programs: { type: 'string' },
    },
    'the program goes after --: oauth-conformance client -- node my-client.js',
  );
  const harness = await import('../client-harness/run.ts');
  if (values.list) {
    for (const scenario of harness.selectScenarios(undefined))
      io.out(`${scenario.name.padEnd(26)} ${scenario.title}`);
    return 0;
  }
  if (values.programs !== undefined && command.length > 0)
    throw new ConformanceError(
      'USAGE',
      'give the programs either in --programs FILE or after --, not both',
    );
  if (command.length === 0 && values.programs === undefined)
    throw new ConformanceError(
      'USAGE',
      'no program given: oauth-conformance client [options] -- <command> [args...]',
    );
  const { readProgramsFile } = await import('../client-harness/programs-file.ts');
  const result = await harness.runClientHarness(
    {
      command,
      ...(values.programs === undefined ? {} : { programs: readProgramsFile(values.programs) }),
      ...(values.scenario ? { scenarios: values.scenario } : {}),
      reportsDir: values.reports ?? 'reports',
      timeoutMs:
        wholeNumber('--timeout', values.timeout, 20, 1, DURATION_LIMITS.timeoutSeconds) * 1000,
      seed: wholeNumber('--seed', values.seed, 1, 0),
      ...(values.strict ? { strict: true } : {}),
    },
    { out: io.out },
  );
  return result.exitCode;
}

/**
 * Runs one command line (\`argv\` without node and the script) and returns its exit status
 * (errors.ts: EXIT_CODES). Never throws: every error becomes one line on \`io.err\`.
 */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (io === defaultIo) keepRunningWhenStdoutCloses(io);
  try {
    if (command !== undefined && COMMAND_USAGE[command] && wantsHelp(rest)) {
      io.out(COMMAND_USAGE[command]);
      return 0;
    }
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'mock':
        return await mockCommand(rest, io);
      case 'client':
        return await clientCommand(rest, io);
      case 'merge':
        return await (await import('../report/commands.ts')).mergeCommand(rest, io);
      case 'diff':
        return await (await import('../report/commands.ts')).diffCommand(rest, io);
      case '--version':
      case '-V':
      case 'version':
        io.out(TOOL_VERSION);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT_CODES.USAGE : 0;
      default:
        throw new ConformanceError(
          'USAGE',
          `unknown command "${command}" (expected run, mock, client, merge or diff; see oauth-conformance --help)`,
        );
    }
  } catch (error) {
    const known = classifyError(error);
    // A message of our own is one line already; anything else is bounded and made one line.
    const message = known === error ? known.message : oneLine(known.message);
    io.err(
      `oauth-conformance: ${message}${known.code === 'INTERNAL' ? ' (a bug in oauth-conformance: please report it with the command line)' : ''}`,
    );
    return EXIT_CODES[known.code];
  }
}
