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
  oauth-conformance run [--target URL] [--profile NAME|PATH] [--config FILE]
                        [--reports DIR] [--strict] [--accept-drift] [--allow FILE]
                        [--ca FILE] [--allow-insecure-http] [--fuzz N] [--seed N]
                        [--wait-token-expiry] [--check-token-limit]
  oauth-conformance mock [--host ADDRESS] [--port N] [--seed N] [--rate-limit N/SECONDS]
                         [--revoke-rate-limit N/SECONDS] [--token-lifetime SECONDS] [--show-secrets]
                         [--no-fault-hook] [--token-format ES512|ES256|EdDSA|opaque]
                         [--max-active-tokens N]
  oauth-conformance client [--scenario NAME ...] [--reports DIR] [--timeout SECONDS] [--seed N]
                           [--list] -- <command> [args...]

run    runs the conformance suite against --target (default: the embedded reference mock)
       and writes <reports>/junit.xml (default reports/).
mock   runs the reference mock until interrupted and prints its URL and accounts.
client runs <command> once per scenario against a fresh reference mock (scripted faults:
       --list names them), judges what it sent and writes <reports>/junit.xml.

exit status: 0 conforming, 1 conformance failures (client: a judgement failed), 2 usage or
             configuration error, 3 target unreachable or not speaking HTTP (a container that
             cannot start), 130 stopped by Ctrl-C`;

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
    ca: { type: 'string' },
    fuzz: { type: 'string' },
    'allow-insecure-http': { type: 'boolean' },
    'wait-token-expiry': { type: 'boolean' },
    'check-token-limit': { type: 'boolean' },
  });
  const {
    'accept-drift': acceptDrift,
    'allow-insecure-http': allowInsecureHttp,
    'wait-token-expiry': waitTokenExpiry,
    'check-token-limit': checkTokenLimit,
    ...rest
  } = values;
  const settings = resolveRunSettings({
    ...rest,
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
      list: { type: 'boolean' },
    },
    'the program goes after --: oauth-conformance client -- node my-client.js',
  );
  const harness = await import('./client-harness/run.ts');
  if (values.list) {
    for (const scenario of harness.selectScenarios(undefined))
      io.out(`${scenario.name.padEnd(26)} ${scenario.title}`);
    return 0;
  }
  if (command.length === 0)
    throw new ConformanceError(
      'USAGE',
      'no program given: oauth-conformance client [options] -- <command> [args...]',
    );
  const result = await harness.runClientHarness(
    {
      command,
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
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT_CODES.USAGE : 0;
      default:
        throw new ConformanceError(
          'USAGE',
          `unknown command "${command}" (expected run, mock or client; see oauth-conformance --help)`,
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
