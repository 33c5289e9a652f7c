// `oauth-conformance mock` prints what a run against it needs (seed, limits, lifetime), and
// `--print-config FILE` writes the config that run takes: one copy-paste from mock to run.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { validate } from '../src/contract/schemas.ts';
import { packagePath } from '../src/shared/paths.ts';
import { MOCK_NOT_JUDGED, readJunit, runCli, tempDir } from './support/cli.ts';

const started: ChildProcess[] = [];

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null) continue;
    child.kill('SIGINT');
    await once(child, 'close');
  }
});

/** The mock command in a process of its own, until its "press Ctrl-C" line; its stdout so far. */
async function startMockCommand(args: string[]): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(
    process.execPath,
    [packagePath('scripts', 'cli-from-source.js'), 'mock', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  started.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the mock did not start: ${out}${err}`)),
      30_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('press Ctrl-C to stop')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`the mock exited ${code}: ${out}${err}`));
    });
  });
  return { child, out };
}

describe('oauth-conformance mock', () => {
  test('prints its seed, limits and token lifetime, no secret', async () => {
    const { out } = await startMockCommand([
      '--seed',
      '9',
      '--rate-limit',
      '7/3',
      '--token-lifetime',
      '600',
    ]);
    expect(out).toMatch(/^ {2}seed {6}9 \(--seed 9 gives the same accounts\)$/m);
    expect(out).toMatch(/^ {2}limits {4}token 7 per 3 s, revoke 7 per 3 s, for each client id$/m);
    expect(out).toMatch(/^ {2}lifetime {2}600 s \(expires_in\)$/m);
    expect(out).not.toMatch(/mdb_sa_sk_/);
  }, 240_000);

  test('--print-config FILE: a valid config, mode 600, that a run against the mock passes with', async () => {
    const dir = tempDir('print-config');
    const file = join(dir, 'mock.json');
    // An existing file of a wider mode is replaced, not kept.
    writeFileSync(file, '{}', { mode: 0o644 });
    const { out } = await startMockCommand([
      '--rate-limit',
      '10/2',
      '--revoke-rate-limit',
      '10/2',
      '--print-config',
      file,
    ]);
    expect(out).toContain(`oauth-conformance run --config ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(validate('urn:oauth-conformance:schemas:config', config).errors).toEqual([]);
    expect(config).toMatchObject({
      rateLimit: { requests: 10, windowSeconds: 2 },
      revokeRateLimit: { requests: 10, windowSeconds: 2 },
      tokenLifetimeSeconds: 3600,
      faultHook: true,
      maxActiveTokens: 100,
      maxActiveTokensByRole: { tokenLimit: 3 },
      paths: { token: '/api/oauth/token', revoke: '/api/oauth/revoke' },
    });
    const secret = (config.accounts as { primary: { clientSecret: string } }).primary.clientSecret;
    expect(out).not.toContain(secret);

    const reports = join(dir, 'reports');
    const run = await runCli(['run', '--config', file, '--reports', reports], {}, 240_000);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const cases = readJunit(join(reports, 'junit.xml'));
    expect(cases.filter((c) => c.state === 'failed' || c.state === 'errored')).toEqual([]);
    for (const name of MOCK_NOT_JUDGED)
      expect(cases.find((c) => c.name === name)?.state, name).toBe('skipped');
    // Nothing skipped for want of the config (fault hook, accounts): only what the mock leaves
    // not judged by design, and the generated inputs no --fuzz asked for.
    expect(
      cases
        .filter((c) => c.state === 'skipped')
        .map((c) => c.name)
        .filter(
          (name) =>
            !MOCK_NOT_JUDGED.includes(name) && !name.endsWith('[generated malformed requests]'),
        ),
    ).toEqual([]);
  }, 240_000);

  test('--print-config into a directory that does not exist: one line, exit 2, the mock stopped', async () => {
    const result = await runCli(['mock', '--print-config', '/nonexistent/dir/mock.json']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'oauth-conformance: --print-config /nonexistent/dir/mock.json: cannot be written (ENOENT)',
    ]);
  }, 240_000);
});
