// The suite's image (Dockerfile target `suite`, scripts/build-suite-image.sh) against the reference
// mock's image, the way a CI with Docker and no Node runs it: the mock's port published on
// 127.0.0.1, the suite on the host's network, the reports in a mounted directory, the primary
// credentials from the environment. Needs a container engine and both images; without them the
// tests are skipped with that reason, except under CI=true, where .ci/run builds both.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_REFERENCE_IMAGE } from '../src/api.ts';
import { generateAccounts } from '../src/mock/index.ts';
import { containerEngine } from '../src/target/container.ts';
import { MOCK_TOKEN_LIMITS } from './support/broken-mocks.ts';
import { MOCK_NOT_JUDGED, readJunit, tempDir, writeJson } from './support/cli.ts';

const SUITE_IMAGE = 'oauth-conformance/suite:local';
const exec = promisify(execFile);

let unavailable: string | undefined;
let mockId: string | undefined;
let mockUrl = '';

beforeAll(async () => {
  const engine = await containerEngine();
  if (!engine.ok) unavailable = `no container engine answers (${engine.reason})`;
  else
    for (const [image, build] of [
      [DEFAULT_REFERENCE_IMAGE, 'npm run build:image -- --local-base'],
      [SUITE_IMAGE, 'npm run build:suite-image -- --local-base'],
    ] as const) {
      try {
        execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
      } catch {
        unavailable ??= `image ${image} is not built (${build})`;
      }
    }
  if (unavailable && process.env.CI === 'true')
    throw new Error(`${unavailable}; .ci/run provides it`);
  if (unavailable) return;
  // The mock on loopback only (its fault hook is on), with a 2 s window to keep the run short.
  const started = await exec('docker', [
    'run',
    '-d',
    '--rm',
    '-p',
    '127.0.0.1::8080',
    DEFAULT_REFERENCE_IMAGE,
    ...['--host', '0.0.0.0', '--port', '8080', '--seed', '1'],
    ...['--rate-limit', '10/2', '--revoke-rate-limit', '10/2'],
  ]);
  mockId = started.stdout.trim();
  const published = await exec('docker', ['port', mockId, '8080/tcp']);
  const port = /127\.0\.0\.1:(\d+)/.exec(published.stdout)?.[1];
  if (!port) throw new Error(`the mock's port is not published on 127.0.0.1: ${published.stdout}`);
  mockUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(`${mockUrl}/`);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the mock image did not answer: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}, 90_000);

afterAll(async () => {
  if (mockId) await exec('docker', ['rm', '-f', mockId]).catch(() => undefined);
});

interface ImageRun {
  code: number;
  stdout: string;
  stderr: string;
  reports: string;
}

/** `docker run` of the suite image as the README shows it, plus the config mounted read-only. */
async function runImage(args: string[], config?: unknown): Promise<ImageRun> {
  const reports = tempDir('suite-image');
  // Root in the image by default; the directory is the test's, any owner must do.
  chmodSync(reports, 0o777);
  const { primary } = generateAccounts(1);
  const mounts = ['-v', `${reports}:/reports`];
  if (config !== undefined)
    mounts.push(
      '-v',
      `${writeJson(tempDir('suite-image-config'), 'config.json', config)}:/config.json:ro`,
    );
  const env = {
    ...process.env,
    MONGODB_ATLAS_CLIENT_ID: primary.clientId,
    MONGODB_ATLAS_CLIENT_SECRET: primary.clientSecret,
  };
  try {
    const { stdout, stderr } = await exec(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'host',
        ...mounts,
        '-e',
        'MONGODB_ATLAS_CLIENT_ID',
        '-e',
        'MONGODB_ATLAS_CLIENT_SECRET',
        SUITE_IMAGE,
        ...args,
      ],
      { env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr, reports };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', reports };
  }
}

/** The mock image's other accounts and limits: what `oauth-conformance mock --print-config` writes. */
function mockConfig(): unknown {
  const { primary: _primary, ...others } = generateAccounts(1);
  return {
    accounts: others,
    rateLimit: { requests: 10, windowSeconds: 2 },
    revokeRateLimit: { requests: 10, windowSeconds: 2 },
    tokenLifetimeSeconds: 3600,
    faultHook: true,
    ...MOCK_TOKEN_LIMITS,
  };
}

describe('the suite image', () => {
  test('passes the reference mock image and writes its three reports to the mounted directory', async ({
    skip,
  }) => {
    if (unavailable) skip(unavailable);
    const result = await runImage(
      ['run', '--target', mockUrl, '--config', '/config.json', '--reports', '/reports'],
      mockConfig(),
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const name of ['junit.xml', 'result.json', 'index.html'])
      expect(existsSync(join(result.reports, name)), name).toBe(true);
    const cases = readJunit(join(result.reports, 'junit.xml'));
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.filter((c) => c.state === 'failed' || c.state === 'errored')).toEqual([]);
    for (const name of MOCK_NOT_JUDGED)
      expect(cases.find((c) => c.name === name)?.state, name).toBe('skipped');
    const secret = generateAccounts(1).primary.clientSecret;
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(readFileSync(join(result.reports, 'result.json'), 'utf8')).not.toContain(secret);
  }, 240_000);

  test('a target that does not answer: exit 3 and a report saying why', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    // Port 9 (discard) on loopback: nothing listens there in a CI machine or this one.
    const result = await runImage([
      'run',
      '--target',
      'http://127.0.0.1:9',
      '--reports',
      '/reports',
    ]);
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const cases = readJunit(join(result.reports, 'junit.xml'));
    expect(cases.map((c) => c.state)).toEqual(['errored']);
  }, 240_000);

  test('--version and run --help need no target', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const version = await runImage(['--version']);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await runImage(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: oauth-conformance run');
  }, 240_000);
});
