/**
 * The command line: `oauth-conformance run`, `mock` and `client`. Bad input gets one
 * clear line and exit status 2; errors map to exit statuses in one table (errors.ts).
 */
import { parseFlags, wholeNumber } from './args.ts';
import { resolveRunSettings } from './config.ts';
import { ConformanceError, EXIT_CODES } from './errors.ts';
import { mockCommand } from './mock/command.ts';
import { DURATION_LIMITS } from './waits.ts';

const USAGE = `usage:
  oauth-conformance run [--target URL] [--profile atlas|cloud-manager|rfc6749] [--config FILE]
                        [--reports DIR] [--strict] [--accept-drift] [--allow FILE]
                        [--allow-stale fail|warn] [--ca FILE] [--allow-insecure-http]
                        [--fuzz N] [--seed N]
  oauth-conformance mock [--host ADDRESS] [--port N] [--seed N] [--rate-limit N/SECONDS]
                         [--revoke-rate-limit N/SECONDS] [--token-lifetime SECONDS] [--show-secrets]
                         [--no-fault-hook] [--token-format ES512|ES256|EdDSA|opaque]
                         [--max-active-tokens N]
  oauth-conformance client [--scenario NAME ...] [--reports DIR] [--timeout SECONDS] [--seed N]
                           [--list] -- <command> [args...]
  oauth-conformance client [--scenario NAME ...] [...] --programs FILE
  oauth-conformance merge DIR... [--reports OUT]
  oauth-conformance diff BASE/result.json HEAD/result.json [--json]

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

exit status: 0 conforming, 1 conformance failures (client: a judgement failed), 2 usage or
             configuration error, 3 target unreachable, not speaking HTTP or stopped answering
             mid-run (a container that cannot start), 130 stopped by Ctrl-C`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

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
  });
  const {
    'accept-drift': acceptDrift,
    'allow-insecure-http': allowInsecureHttp,
    'allow-stale': allowStale,
    ...rest
  } = values;
  const settings = resolveRunSettings({
    ...rest,
    ...(allowStale === undefined ? {} : { allowStale }),
    ...(acceptDrift ? { acceptDrift } : {}),
    ...(allowInsecureHttp ? { allowInsecureHttp } : {}),
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
      list: { type: 'boolean' },
      programs: { type: 'string' },
    },
    'the program goes after --: oauth-conformance client -- node my-client.js',
  );
  const harness = await import('./client-harness/run.ts');
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
  const { readProgramsFile } = await import('./client-harness/programs-file.ts');
  const result = await harness.runClientHarness(
    {
      command,
      ...(values.programs === undefined ? {} : { programs: readProgramsFile(values.programs) }),
      ...(values.scenario ? { scenarios: values.scenario } : {}),
      reportsDir: values.reports ?? 'reports',
      timeoutMs:
        wholeNumber('--timeout', values.timeout, 20, 1, DURATION_LIMITS.timeoutSeconds) * 1000,
      seed: wholeNumber('--seed', values.seed, 1, 0),
    },
    { out: io.out },
  );
  return result.exitCode;
}

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'mock':
        return await mockCommand(rest, io);
      case 'client':
        return await clientCommand(rest, io);
      case 'merge':
        return await (await import('./report/commands.ts')).mergeCommand(rest, io);
      case 'diff':
        return await (await import('./report/commands.ts')).diffCommand(rest, io);
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
    if (error instanceof ConformanceError) {
      io.err(`oauth-conformance: ${error.message}`);
      return EXIT_CODES[error.code];
    }
    io.err(`oauth-conformance: internal error: ${(error as Error).message}`);
    return 1;
  }
}
