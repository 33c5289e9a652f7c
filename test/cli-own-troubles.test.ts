// The command line's own behaviour, apart from any target: --version, each command's --help, and
// the exit statuses of the tool's own troubles (README: Exit statuses), which never share 1 with
// "the target does not conform": a reader that closes stdout early, a reports directory this
// machine will not let us write, a missing optional dependency, a bug.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../src/cli/cli.ts';
import { ConformanceError, classifyError, EXIT_CODES } from '../src/shared/errors.ts';
import { packagePath } from '../src/shared/paths.ts';
import { isMissing } from '../src/target/optional-deps.ts';
import { type CliResult, collectOutput, readJunit, runCli, tempDir } from './support/cli.ts';

const VERSION = (
  JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }
).version;

/** main() in this process, its lines collected. */
async function mainLines(
  argv: string[],
  out: (line: string) => void = () => {},
): Promise<{ code: number; out: string[]; err: string[] }> {
  const lines = { out: [] as string[], err: [] as string[] };
  const code = await main(argv, {
    out: (line) => {
      out(line);
      lines.out.push(line);
    },
    err: (line) => lines.err.push(line),
  });
  return { code, ...lines };
}

describe('--version and --help', () => {
  test.each([['--version'], ['-V'], ['version']])('%s prints the version alone', async (flag) => {
    const result = await mainLines([flag]);
    expect(result).toEqual({ code: 0, out: [VERSION], err: [] });
  });

  test.each(['run', 'mock', 'client'])(
    '%s --help: its usage on stdout, exit 0',
    async (command) => {
      for (const flag of ['--help', '-h']) {
        const result = await mainLines([command, flag]);
        expect(result.code).toBe(0);
        expect(result.err).toEqual([]);
        expect(result.out.join('\n')).toMatch(new RegExp(`^usage: oauth-conformance ${command} `));
      }
    },
  );

  test("--help after other flags still wins; client --help after -- is the program's", async () => {
    expect((await mainLines(['run', '--profile', 'okta', '--help'])).code).toBe(0);
    // After --, the flags are the client program's: no program usage error, no help.
    const client = await mainLines(['client', '--list', '--', 'node', '--help']);
    expect(client.code).toBe(0);
    expect(client.out.join('\n')).not.toMatch(/usage:/);
  });

  test('the exit-status table in --help names every status the code can return', async () => {
    const help = (await mainLines(['--help'])).out.join('\n');
    for (const status of new Set([0, 1, ...Object.values(EXIT_CODES), 130]))
      expect(help).toMatch(new RegExp(`\\b${status} [a-z]`));
  });

  test('an unknown flag stays exit 2 with one line', async () => {
    const result = await mainLines(['run', '--versoin']);
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^oauth-conformance: .*--versoin/);
  });
});

describe("the tool's own troubles", () => {
  test('a bug is exit 5, one line and a request to report it, never 1', async () => {
    const result = await mainLines(['--version'], () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    });
    expect(result.code).toBe(5);
    expect(EXIT_CODES.INTERNAL).toBe(5);
    expect(result.err).toEqual([
      "oauth-conformance: internal error: Cannot read properties of undefined (reading 'x') (a bug in oauth-conformance: please report it with the command line)",
    ]);
  });

  test.each([
    ['ENOSPC', 'ENVIRONMENT'],
    ['EACCES', 'ENVIRONMENT'],
    ['EROFS', 'ENVIRONMENT'],
    ['ECONNRESET', 'INTERNAL'],
    [undefined, 'INTERNAL'],
  ])('an error with errno %s is %s', (errno, code) => {
    const error = Object.assign(new Error('write failed'), errno ? { code: errno } : {});
    expect(classifyError(error).code).toBe(code);
    const own = new ConformanceError('TARGET_UNREACHABLE', 'x');
    expect(classifyError(own)).toBe(own);
  });

  test('a missing package is told from a missing file of its own', () => {
    const missing = Object.assign(
      new Error("Cannot find package 'testcontainers' imported from /x"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    expect(isMissing(missing, 'testcontainers')).toBe(true);
    const other = Object.assign(
      new Error("Cannot find module '/x/container.js' imported from /x"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    expect(isMissing(other, 'testcontainers')).toBe(false);
  });

  test('a reports directory this machine will not let us write: exit 4, one line', async () => {
    const dir = tempDir('readonly-reports');
    const reports = join(dir, 'reports');
    mkdirSync(reports);
    chmodSync(reports, 0o555);
    chmodSync(dir, 0o755);
    // Root writes anywhere: run as nobody then (setpriv, util-linux), which can read the clone.
    const asNobody = process.getuid?.() === 0;
    const result = asNobody
      ? await runAs(['run', '--reports', reports])
      : await runCli(['run', '--reports', reports]);
    expect(result.code, result.stdout + result.stderr).toBe(4);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`oauth-conformance: --reports ${reports}: is not writable (EACCES)`);
  }, 120_000);

  test('stdout closed by its reader (run | head -3): no stack trace, the reports, the verdict', async () => {
    const reports = join(tempDir('epipe'), 'reports');
    const child = spawn(
      process.execPath,
      [packagePath('scripts', 'cli-from-source.js'), 'run', '--reports', reports, '--seed', '4'],
      {
        env: { ...process.env, MONGODB_ATLAS_CLIENT_ID: '', MONGODB_ATLAS_CLIENT_SECRET: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // What head -3 does: read the first lines, then close the pipe.
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split('\n').length > 3) child.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(seen).toMatch(/^oauth-conformance run\n/);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code, stderr).toBe(0);
    const cases = readJunit(join(reports, 'junit.xml'));
    expect(cases.length).toBeGreaterThan(100);
    expect(existsSync(join(reports, 'index.html'))).toBe(true);
  }, 180_000);
});

/** The CLI from source as uid and gid 65534 (nobody). */
function runAs(args: string[]): Promise<CliResult> {
  const child = spawn(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      packagePath('scripts', 'cli-from-source.js'),
      ...args,
    ],
    {
      env: { ...process.env, MONGODB_ATLAS_CLIENT_ID: '', MONGODB_ATLAS_CLIENT_SECRET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return collectOutput(child);
}
