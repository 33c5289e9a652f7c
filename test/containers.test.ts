// Containers (testcontainers): the suite against the reference mock's image, bad images, Ctrl-C,
// and the API for other projects' tests. They need a container engine and the image
// (`npm run build:image -- --local-base`); without them they are skipped with that reason, except
// under CI=true, where .ci/run provides both and a missing one fails.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_REFERENCE_IMAGE, startReferenceMock } from '../src/api.ts';
import { generateAccounts } from '../src/mock/index.ts';
import { packagePath } from '../src/shared/paths.ts';
import { containerEngine, RUN_LABEL } from '../src/target/container.ts';
import { MOCK_TOKEN_LIMITS } from './support/broken-mocks.ts';
import {
  MOCK_NOT_JUDGED,
  readJunit,
  runCli,
  skippedNames,
  tempDir,
  writeJson,
} from './support/cli.ts';

const ENV = { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1' };
Object.assign(process.env, ENV);
const IMAGE = DEFAULT_REFERENCE_IMAGE;

let unavailable: string | undefined;

beforeAll(async () => {
  const engine = await containerEngine();
  if (!engine.ok) unavailable = `no container engine answers (${engine.reason})`;
  else {
    try {
      execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
    } catch {
      unavailable = `image ${IMAGE} is not built (npm run build:image -- --local-base)`;
    }
  }
  if (unavailable && process.env.CI === 'true')
    throw new Error(`${unavailable}; .ci/run provides it`);
});

function needsEngine(skip: (note?: string) => never): void {
  if (unavailable) skip(unavailable);
}

/** Containers this tool started that still exist, in any state. */
function leftovers(): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=${RUN_LABEL}`], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
}

/** A config for the reference image: its seed-1 accounts, a 2 s window, the fault hook on. */
function config(dir: string, container: Record<string, unknown> = {}): string {
  return writeJson(dir, 'config.json', {
    accounts: generateAccounts(1),
    rateLimit: { requests: 10, windowSeconds: 2 },
    revokeRateLimit: { requests: 10, windowSeconds: 2 },
    tokenLifetimeSeconds: 3600,
    faultHook: true,
    ...MOCK_TOKEN_LIMITS,
    container: {
      command: ['--host', '0.0.0.0', '--port', '8080', '--rate-limit', '10/2'],
      ...container,
    },
  });
}

describe('containers', () => {
  test('the suite passes the reference mock in a container, reached on 127.0.0.1, then removed', async ({
    skip,
  }) => {
    needsEngine(skip);
    const dir = tempDir('container-run');
    const result = await runCli(
      [
        'run',
        '--target',
        `container:${IMAGE}:8080`,
        '--config',
        config(dir),
        '--reports',
        dir,
        '--fuzz',
        '5',
      ],
      ENV,
      180_000,
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/container ready at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(
      /target {3}http:\/\/127\.0\.0\.1:\d+ \(container from oauth-conformance\/reference-mock:local\)/,
    );
    const cases = readJunit(join(dir, 'junit.xml'));
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.filter((c) => c.state === 'failed')).toEqual([]);
    expect(skippedNames(cases)).toEqual(MOCK_NOT_JUDGED);
    expect(leftovers()).toEqual([]);
  });

  const BAD_IMAGES: [string, string, Record<string, unknown>, RegExp][] = [
    [
      'an image that does not exist',
      'container:oauth-conformance/no-such-image:v1',
      {},
      /image oauth-conformance\/no-such-image:v1 is not on this machine and could not be pulled/,
    ],
    [
      'an image that does not start',
      `container:${IMAGE}`,
      { command: ['--no-such-flag'] },
      /exited before it answered HTTP on port 8080; its last output: .*Unknown option '--no-such-flag'/,
    ],
    [
      'an image that never answers',
      `container:${IMAGE}`,
      { command: ['--host', '127.0.0.1', '--port', '8080'], startupTimeoutSeconds: 3 },
      /did not answer HTTP on port 8080 within 3 s/,
    ],
  ];
  for (const [what, target, container, message] of BAD_IMAGES) {
    test(`${what}: one clear line, exit 3, bounded, no container left`, async ({ skip }) => {
      needsEngine(skip);
      const dir = tempDir('container-bad');
      const started = Date.now();
      const result = await runCli(
        ['run', '--target', target, '--config', config(dir, container), '--reports', dir],
        ENV,
        60_000,
      );
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(result.code, result.stdout + result.stderr).toBe(3);
      const errors = result.stderr.split('\n').filter(Boolean);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
      expect(leftovers()).toEqual([]);
      // The reports say why, for CI: one errored testcase.
      expect(readJunit(join(dir, 'junit.xml')).map((c) => c.name)).toEqual([
        'target.reachable [container]',
      ]);
    });
  }

  test('Ctrl-C during a run stops and removes the container, exit 130', async ({ skip }) => {
    needsEngine(skip);
    const dir = tempDir('container-interrupt');
    const child = spawn(
      process.execPath,
      [
        packagePath('scripts', 'cli-from-source.js'),
        'run',
        '--target',
        `container:${IMAGE}`,
        '--config',
        config(dir),
        '--reports',
        dir,
      ],
      {
        env: {
          ...process.env,
          ...ENV,
          MONGODB_ATLAS_CLIENT_ID: '',
          MONGODB_ATLAS_CLIENT_SECRET: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/✓/.test(stdout)) resolve();
      });
    });
    await ready;
    expect(leftovers()).toHaveLength(1);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stdout).toBe(130);
    expect(stdout).toMatch(/SIGINT: removing the container/);
    expect(leftovers()).toEqual([]);
  });

  test('startReferenceMock({ container: true }): published on 127.0.0.1 only, the seed’s accounts work, stop removes it', async ({
    skip,
  }) => {
    needsEngine(skip);
    const mock = await startReferenceMock({
      container: true,
      seed: 3,
      rateLimit: { requests: 5, windowSeconds: 2 },
    });
    try {
      expect(mock.kind).toBe('container');
      const [id] = leftovers();
      const ports = JSON.parse(
        execFileSync(
          'docker',
          ['inspect', '--format', '{{json .NetworkSettings.Ports}}', id ?? ''],
          { encoding: 'utf8' },
        ),
      ) as Record<string, { HostIp: string; HostPort: string }[]>;
      expect(
        Object.values(ports)
          .flat()
          .map((binding) => binding.HostIp),
      ).toEqual(['127.0.0.1']);
      const { clientId, clientSecret } = mock.accounts.primary;
      expect(clientId).toBe(generateAccounts(3).primary.clientId);
      const response = await fetch(`${mock.url}/api/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(response.status).toBe(200);
    } finally {
      await mock.stop();
    }
    expect(leftovers()).toEqual([]);
  });

  test('startReferenceMock({ container: true, faultHook: false }): the image serves no fault hook', async ({
    skip,
  }) => {
    needsEngine(skip);
    const mock = await startReferenceMock({ container: { image: IMAGE }, faultHook: false });
    try {
      const hook = await fetch(`${mock.url}/__conformance/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: '/api/oauth/token', status: 500 }),
      });
      expect(hook.status).toBe(404);
      const { clientId, clientSecret } = mock.accounts.primary;
      const response = await fetch(`${mock.url}/api/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(response.status).toBe(200);
    } finally {
      await mock.stop();
    }
    expect(leftovers()).toEqual([]);
  });
});

describe('the package entry for other projects (node:test, no vitest)', () => {
  function consumer(env: Record<string, string>): string {
    return execFileSync(
      process.execPath,
      ['--test', packagePath('test', 'fixtures', 'api', 'consumer.test.mjs')],
      {
        encoding: 'utf8',
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  }

  test('in process', () => {
    const out = consumer({});
    expect(out).toMatch(/kind=in-process url=http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/# pass 1/);
  });

  test('in a container', ({ skip }) => {
    needsEngine(skip);
    const out = consumer({ ...ENV, OAUTH_CONFORMANCE_CONTAINER: '1' });
    expect(out).toMatch(/kind=container url=http:\/\/127\.0\.0\.1:\d+/);
    expect(leftovers()).toEqual([]);
  });
});
