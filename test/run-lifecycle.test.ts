// The reports of a run (issue 15, items 11 and 12): the directory is checked before the first
// request, files are written through a rename (never through a symlink at their path), and an
// interrupted run leaves the reports of what finished, marked interrupted, never an earlier
// run's passing junit.xml, and no scratch files with issued tokens.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { packagePath } from '../src/shared/paths.ts';
import { readJunit, runCli, tempDir, writeJson } from './support/cli.ts';

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

/** A target that counts what reaches it (and answers 404). */
async function countingTarget(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(404).end();
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests: () => requests };
}

const ENV = {
  MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_000000000000000000000000',
  MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_lifecycle-canary',
};

describe.concurrent('a reports directory that cannot be used is refused before any request', () => {
  test.each([
    [
      'a regular file',
      () => writeJson(tempDir('rf'), 'not-a-dir', {}),
      /is not a directory|cannot be created/,
    ],
    ['a path under /proc', () => '/proc/self/oauth-conformance', /virtual file system/],
    ['a path under /sys', () => '/sys/kernel/oauth-conformance', /virtual file system/],
  ])('%s: exit 2, one line, nothing sent', async (_what, dir, message) => {
    const target = await countingTarget();
    const started = Date.now();
    const result = await runCli(['run', '--target', target.url, '--reports', dir()], ENV);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(target.requests()).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

test('a symlink at junit.xml is replaced, never followed', async () => {
  const dir = tempDir('symlink');
  const reports = join(dir, 'reports');
  mkdirSync(reports);
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  symlinkSync(victim, join(reports, 'junit.xml'));
  const result = await runCli(['run', '--reports', reports, '--seed', '2', '--fuzz', '0']);
  expect(result.code, result.stdout).toBe(0);
  expect(readFileSync(victim, 'utf8')).toBe('precious');
  expect(lstatSync(join(reports, 'junit.xml')).isSymbolicLink()).toBe(false);
  expect(readJunit(join(reports, 'junit.xml')).length).toBeGreaterThan(50);
});

describe.concurrent('an interrupted run', () => {
  test.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: partial reports marked interrupted, no stale junit.xml, no scratch, exit 130',
    async (signal) => {
      const dir = tempDir(`interrupt-${signal}`);
      // An earlier run's passing junit.xml, which CI would otherwise publish.
      writeFileSync(join(dir, 'junit.xml'), '<testsuites tests="1" failures="0"/>');
      const child = spawn(
        process.execPath,
        [packagePath('scripts', 'cli-from-source.js'), 'run', '--reports', dir, '--seed', '3'],
        { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          // A few testcases in: interrupt mid-run.
          if ((stdout.match(/✓/g) ?? []).length >= 5) resolve();
        });
      });
      child.kill(signal);
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code, stdout).toBe(130);
      expect(stdout).toContain(`${signal}: stopping the run after`);
      const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
      expect(xml).toContain(`interrupted by ${signal} after`);
      const cases = readJunit(join(dir, 'junit.xml'));
      expect(cases.filter((c) => c.state === 'passed').length).toBeGreaterThanOrEqual(5);
      expect(existsSync(join(dir, 'result.json'))).toBe(true);
      expect(existsSync(join(dir, 'index.html'))).toBe(true);
      // The run's scratch dir (the tokens it saw) carries its pid: gone.
      const scratch = readdirSync(tmpdir()).filter((n) =>
        n.startsWith(`oauth-conformance-run-${child.pid}-`),
      );
      expect(scratch).toEqual([]);
    },
  );
});
