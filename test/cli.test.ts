// The CLI's contract: exit statuses, one clear line for bad input, and the profiles it offers.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { validate } from '../src/contract/schemas.ts';
import { packagePath } from '../src/shared/paths.ts';
import {
  failedRequirementIds,
  MOCK_NOT_JUDGED,
  readJunit,
  runCli,
  skippedNames,
  tempDir,
  writeJson,
} from './support/cli.ts';

const JUNIT_XSD = packagePath('test', 'fixtures', 'junit-10.xsd');

function expectOneCleanLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^oauth-conformance: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

async function listen(onConnection: (socket: import('node:net').Socket) => void): Promise<number> {
  const server = createServer(onConnection);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

describe.concurrent('usage and configuration errors exit 2 with one line', () => {
  test('--help prints the usage and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('oauth-conformance run [--target URL]');
  });

  test('unknown flag', async () => {
    const result = await runCli(['run', '--targte', 'http://127.0.0.1:1']);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /--targte/);
  });

  test('unknown command', async () => {
    const result = await runCli(['conform']);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /unknown command "conform"/);
  });

  test('unknown profile', async () => {
    const result = await runCli(['run', '--profile', 'okta']);
    expect(result.code).toBe(2);
    expectOneCleanLine(
      result.stderr,
      /--profile: unknown profile okta \(known: atlas, cloud-manager, rfc6749\)/,
    );
  });

  test('malformed target URL', async () => {
    const result = await runCli(['run', '--target', 'not a url']);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /target "not a url" is not a URL/);
  });

  test('credentials over plain http to a remote host are refused', async () => {
    const config = writeJson(tempDir('cfg'), 'c.json', {
      accounts: { primary: { clientId: 'a', clientSecret: 'long-enough-secret' } },
    });
    const result = await runCli(['run', '--target', 'http://10.0.0.1', '--config', config]);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /plain http/);
  });

  test('unreadable config file', async () => {
    const result = await runCli(['run', '--config', '/nonexistent/config.json']);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /cannot read config file .*no such file/);
  });

  test('invalid config names the bad field', async () => {
    const config = writeJson(tempDir('cfg'), 'c.json', {
      accounts: { primary: { clientId: 'a' } },
      rateLimt: 5,
    });
    const result = await runCli(['run', '--config', config]);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /unknown key "rateLimt".*clientSecret/);
  });

  test('a target without credentials', async () => {
    const result = await runCli(['run', '--target', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.stderr, /no primary credentials.*MONGODB_ATLAS_CLIENT_ID/);
  });
});

describe.concurrent('an unusable target exits 3 with one line, and all three reports', () => {
  const env = {
    MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_000000000000000000000000',
    MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_canary',
  };

  /** CI shows a report, not "no test report": one errored testcase that names the reason. */
  function expectAbortedReports(dir: string, kind: string, reason: RegExp): void {
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(xml).toContain(`<testcase name="target.reachable [${kind}]" classname="target"`);
    expect(xml).toMatch(/<testsuites [^>]*tests="1" failures="0" errors="1"/);
    execFileSync('xmllint', ['--noout', '--schema', JUNIT_XSD, join(dir, 'junit.xml')], {
      stdio: 'pipe',
    });
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result.aborted.kind).toBe(kind);
    expect(result.aborted.reason).toMatch(reason);
    expect(validate('urn:oauth-conformance:schemas:result', result).errors).toEqual([]);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain(
      'The target could not be tested',
    );
  }

  test('nothing listening', async () => {
    const port = await listen((socket) => socket.destroy());
    // Closed at once: nothing listens on the port (this test's server, not another's).
    const own = servers.find(
      (server) => (server.address() as { port: number } | null)?.port === port,
    );
    await new Promise((resolve) => own?.close(resolve));
    const dir = tempDir('r');
    const result = await runCli(
      ['run', '--target', `http://127.0.0.1:${port}`, '--reports', dir],
      env,
    );
    expect(result.code).toBe(3);
    expectOneCleanLine(
      result.stderr,
      /unreachable or does not speak HTTP \(unreachable\): ECONNREFUSED/,
    );
    expectAbortedReports(dir, 'unreachable', /ECONNREFUSED/);
  });

  test('a server that does not speak HTTP', async () => {
    const port = await listen((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
    const dir = tempDir('r');
    const result = await runCli(
      ['run', '--target', `http://127.0.0.1:${port}`, '--reports', dir],
      env,
    );
    expect(result.code).toBe(3);
    expectOneCleanLine(result.stderr, /does not speak HTTP \(not-http\)/);
    expectAbortedReports(dir, 'not-http', /HTTPParserError|HPE_/);
  });

  test('a server that resets the first request', async () => {
    const port = await listen((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const dir = tempDir('r');
    const result = await runCli(
      ['run', '--target', `http://127.0.0.1:${port}`, '--reports', dir],
      env,
    );
    expect(result.code).toBe(3);
    expectOneCleanLine(result.stderr, /\(reset\)/);
    expectAbortedReports(dir, 'reset', /ECONNRESET|UND_ERR_SOCKET/);
  });

  test('a server that never answers', async () => {
    const port = await listen(() => {});
    const dir = tempDir('r');
    const config = writeJson(dir, 'c.json', { timeoutSeconds: 1 });
    const result = await runCli(
      ['run', '--target', `http://127.0.0.1:${port}`, '--reports', dir, '--config', config],
      env,
    );
    expect(result.code).toBe(3);
    expectOneCleanLine(result.stderr, /\(timeout\)/);
    expectAbortedReports(dir, 'timeout', /TIMEOUT|TimeoutError/i);
  });
});

describe.concurrent('profiles against the embedded mock', () => {
  async function runProfile(profile: string) {
    const dir = tempDir(profile);
    const result = await runCli(['run', '--profile', profile, '--reports', dir, '--seed', '9']);
    const cases = readJunit(join(dir, 'junit.xml'));
    return { ...result, cases, ids: new Set(cases.map((c) => c.properties.requirement)) };
  }

  test('--profile cloud-manager passes, with backupJobsEnabledOnly', async () => {
    const { code, stdout, cases, ids } = await runProfile('cloud-manager');
    expect(code, stdout).toBe(0);
    expect(failedRequirementIds(cases)).toEqual([]);
    expect(skippedNames(cases)).toEqual(MOCK_NOT_JUDGED);
    expect(ids).toContain('token.query.backupJobsEnabledOnly');
  });

  test('--profile rfc6749 finds the one place the Atlas docs depart from RFC 6749, on both endpoints', async () => {
    // The docs answer 401 with a Digest challenge; RFC 6749 §5.2 wants the scheme the client
    // used (Basic). The mock follows the docs, so the RFC profile must say so.
    const { code, cases, ids } = await runProfile('rfc6749');
    expect(code).toBe(1);
    expect(failedRequirementIds(cases)).toEqual([
      'revoke.rfc.www-authenticate.basic',
      'token.rfc.www-authenticate.basic',
    ]);
    expect(ids).not.toContain('token.401.headers');
    // The mock's generated secrets hold no character the form encoding changes, so RFC 6749
    // §2.3.1's form is not judged (it is, with +/= secrets, in test/trust.test.ts).
    expect(
      cases
        .filter((c) => c.state === 'skipped')
        .map((c) => c.properties.skipped)
        .sort(),
    ).toEqual([
      'not judged: not a 401 (got 400), so there is no challenge to judge',
      'not judged: the primary credentials hold no character whose form-urlencoded form differs (only letters, digits and -._*), so nothing tells the encodings apart',
    ]);
  });
});

test('without a resource probe only the requirements that need it are skipped', async () => {
  const dir = tempDir('no-probe');
  const config = writeJson(dir, 'config.json', { resourceProbe: null });
  const result = await runCli(['run', '--config', config, '--reports', dir, '--seed', '4']);
  expect(result.code, result.stdout).toBe(0);
  const cases = readJunit(join(dir, 'junit.xml'));
  const skipped = cases.filter((c) => c.state === 'skipped' && !MOCK_NOT_JUDGED.includes(c.name));
  expect([...new Set(skipped.map((c) => c.properties.requirement))].sort()).toEqual([
    'revoke.hint.optional',
    'revoke.isolation',
    'revoke.other-client.no-effect',
    'revoke.token.refused-after-revoke',
    'revoke.unauthenticated.no-effect',
    'token.200.access_token.works',
    'token.expiry.enforced',
    'token.reuse',
  ]);
  for (const c of skipped) expect(c.properties.skipped).toMatch(/^no resource probe/);
  expect(cases.find((c) => c.name === 'revoke.200.status [revoke a fresh token]')?.state).toBe(
    'passed',
  );
  expect(cases.find((c) => c.name === 'token.200.status [client_credentials]')?.state).toBe(
    'passed',
  );
});

test('mock prints its URL and accounts, and a secret only when asked', async () => {
  const { spawn } = await import('node:child_process');
  const { packagePath } = await import('../src/shared/paths.ts');
  const read = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [
        packagePath('scripts', 'cli-from-source.js'),
        'mock',
        ...args,
      ]);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('press Ctrl-C')) child.kill('SIGINT');
      });
      child.on('close', () => resolve(out));
      child.on('error', reject);
    });
  const hidden = await read(['--seed', '2']);
  expect(hidden).toMatch(/^reference mock listening on http:\/\/127\.0\.0\.1:\d+$/m);
  expect(hidden).toMatch(/primary +mdb_sa_id_[0-9a-f]{24} \(secret hidden/);
  expect(hidden).not.toMatch(/mdb_sa_sk_/);
  const shown = await read(['--seed', '2', '--show-secrets']);
  expect(shown).toMatch(/primary +mdb_sa_id_[0-9a-f]{24} mdb_sa_sk_[A-Za-z0-9]{40}/);
});

test('mock: its limits and lifetime from flags; bad values get one line and exit 2', async () => {
  const { spawn } = await import('node:child_process');
  const { packagePath } = await import('../src/shared/paths.ts');
  const child = spawn(process.execPath, [
    packagePath('scripts', 'cli-from-source.js'),
    'mock',
    '--rate-limit',
    '2/60',
    '--token-lifetime',
    '5',
    '--token-format',
    'EdDSA',
    '--max-active-tokens',
    '1',
    '--show-secrets',
  ]);
  let out = '';
  const url = await new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match && out.includes('press Ctrl-C')) resolve(match[1] ?? '');
    });
  });
  const [, id, secret] = /primary +(\S+) (\S+)/.exec(out) ?? [];
  const token = () =>
    fetch(`${url}/api/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
  const first = await token();
  const issued = (await first.json()) as { expires_in: number; access_token: string };
  expect(issued.expires_in).toBe(5);
  // The load mode's token: an EdDSA JWT, and the mock says it departs from the docs' sample.
  const header = issued.access_token.split('.')[0] ?? '';
  expect(JSON.parse(Buffer.from(header, 'base64url').toString()).alg).toBe('EdDSA');
  expect(out).toMatch(/tokens +EdDSA JWTs, for load tests: the docs' sample token is an ES512 JWT/);
  expect(out).toMatch(
    /limit +1 active tokens per account \(the tokenLimit account: 3\), then 403 access_denied/,
  );
  const second = await token();
  expect(second.status).toBe(403);
  expect(((await second.json()) as { error: string }).error).toBe('access_denied');
  expect((await token()).status).toBe(429);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('close', resolve));

  for (const args of [
    ['--rate-limit', 'ten'],
    ['--token-lifetime', '0'],
    ['--port', '70000'],
    ['--token-format', 'HS256'],
    ['--max-active-tokens', '-1'],
    ['--max-active-tokens', 'many'],
  ]) {
    const bad = await runCli(['mock', ...args]);
    expect(bad.code, args.join(' ')).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }
});
