// `oauth-conformance client`: the harness judges programs from what they send. The careless
// client fails exactly the requirements it breaks; output and reports hold no secret; a program
// that hangs is killed with its children; bad input gets one clear line and exit 2.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { generateAccounts } from '../src/mock/index.ts';
import { packagePath } from '../src/paths.ts';
import { basicCredentials } from '../src/redact.ts';
import { validate } from '../src/schemas.ts';
import { failedRequirementIds, readJunit, runCli, tempDir } from './support/cli.ts';

const XSD = packagePath('test', 'fixtures', 'junit-10.xsd');
const primary = generateAccounts(1).primary;
/** Base64 of a JWT header starts so: any token that escaped redaction shows it. */
const JWT_PREFIX = 'eyJhbGciOi';

/** Whether a process runs; a killed one whose parent is gone may stay a zombie here (init does not reap). */
function running(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function client(name: string): string {
  return packagePath('examples', 'clients', name, 'client.mjs');
}

describe('oauth-conformance client', () => {
  test('judges the careless client failing on exactly token reuse and Retry-After', async () => {
    const reports = tempDir('client-careless');
    const result = await runCli([
      'client',
      '--reports',
      reports,
      '--',
      process.execPath,
      client('careless'),
    ]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const cases = readJunit(join(reports, 'junit.xml'));
    expect(failedRequirementIds(cases)).toEqual([
      'client.retry-after.honoured',
      'client.token.reuse',
    ]);
    const failed = cases.filter((c) => c.state === 'failed').map((c) => c.name);
    expect(failed).toContain('client.token.reuse [normal]');
    for (const scenario of [
      'rate-limited-first',
      'rate-limited-first-date',
      'unavailable-first',
      'unavailable-first-date',
    ])
      expect(failed).toContain(`client.retry-after.honoured [${scenario}]`);
    const reuse = cases.find((c) => c.name === 'client.token.reuse [normal]');
    expect(reuse?.failure).toMatch(/a token per call/);
    expect(reuse?.failure).toMatch(
      /#1 \+\d\.\d{3} s POST \/api\/oauth\/token {2}(\(new connection; request \+\d\.\d{3} s\) {2})?Basic \(id and secret as given\)/,
    );
    for (const c of cases) {
      expect(c.properties.requirement, c.name).toMatch(/^client\./);
      expect(c.properties.source, c.name).toBeTruthy();
      expect(c.properties.level, c.name).toBeTruthy();
    }
    // every scenario ran, each a testsuite of its own
    expect(new Set(cases.map((c) => c.name.split(' [')[1]?.slice(0, -1))).size).toBe(12);

    const xml = execFileSync(
      '/usr/bin/xmllint',
      ['--noout', '--schema', XSD, join(reports, 'junit.xml')],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(xml).toBe('');
    const json = JSON.parse(readFileSync(join(reports, 'result.json'), 'utf8'));
    expect(validate('urn:oauth-conformance:schemas:result', json).errors).toEqual([]);
    expect(json.targetKind).toBe('client-program');
    expect(json.spent.token).toBeGreaterThan(10);
    const html = readFileSync(join(reports, 'index.html'), 'utf8');
    expect(html).toContain('<h1>OAuth client harness: how a client program behaved</h1>');
    expect(html).toMatch(
      /id="counts-by-scenario"[\s\S]*<th scope="row">normal<\/th>[\s\S]*<th scope="row">revoke-at-end<\/th>/,
    );
    expect(html).not.toContain('unplanned 429s');
    expect(result.stdout).toMatch(
      /scenario rate-limited-first: .*\n {2}Retry-After \d \((short|long), drawn from the seed\)\n {2}the program exited 0 after/,
    );
  });

  test('keeps the secrets a program prints out of its output and every report', async () => {
    const reports = tempDir('client-leaky');
    const result = await runCli([
      'client',
      '--scenario',
      'normal',
      '--scenario',
      'rejected-credentials',
      '--reports',
      reports,
      '--',
      process.execPath,
      packagePath('test', 'fixtures', 'clients', 'leaky.mjs'),
    ]);
    expect(result.code).toBe(1);
    const texts = [
      result.stdout,
      result.stderr,
      ...['junit.xml', 'result.json', 'index.html'].map((file) =>
        readFileSync(join(reports, file), 'utf8'),
      ),
    ];
    const junit = texts[2] ?? '';
    expect(junit).toContain('stdout (end):');
    expect(junit).toContain('secret=[REDACTED]');
    for (const text of texts) {
      expect(text).not.toContain(primary.clientSecret);
      expect(text).not.toContain(basicCredentials(primary.clientId, primary.clientSecret));
      expect(text).not.toContain(JWT_PREFIX);
    }
    expect(result.stdout).not.toMatch(/SECRET IN REPORT/);
  });

  test('kills a program that does not exit in time, with its children, and says so', async () => {
    const reports = tempDir('client-hang');
    const pidFile = join(reports, 'sleep.pid');
    const started = Date.now();
    const result = await runCli(
      [
        'client',
        '--scenario',
        'normal',
        '--timeout',
        '1',
        '--reports',
        reports,
        '--',
        'sh',
        '-c',
        'sleep 300 & echo $! > "$PID_FILE"; wait',
      ],
      { PID_FILE: pidFile },
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/the program did not exit within 1 s and was killed/);
    const cases = readJunit(join(reports, 'junit.xml'));
    expect(failedRequirementIds(cases)).toEqual(['client.resource.calls-succeed']);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(running(pid)).toBe(false);
  });

  test('Ctrl-C stops the program and its children, keeps the finished scenarios, exits 130', async () => {
    const reports = tempDir('client-interrupt');
    const pidFile = join(reports, 'sleep.pid');
    // The first scenario's program exits at once; the second's hangs until the harness is stopped.
    const script =
      'if [ -f "$PID_FILE.1" ]; then sleep 300 & echo $! > "$PID_FILE"; wait; else touch "$PID_FILE.1"; exit 0; fi';
    const child = spawn(
      process.execPath,
      [
        packagePath('bin', 'oauth-conformance.js'),
        'client',
        '--scenario',
        'normal',
        '--scenario',
        'revoke-at-end',
        '--reports',
        reports,
        '--',
        'sh',
        '-c',
        script,
      ],
      { env: { ...process.env, PID_FILE: pidFile }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const deadline = Date.now() + 20_000;
    while (!existsSync(pidFile) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stdout).toBe(130);
    expect(stdout).toMatch(/SIGINT: stopping the program/);
    expect(running(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    const cases = readJunit(join(reports, 'junit.xml'));
    expect(cases.filter((c) => c.name.endsWith(' [normal]')).length).toBeGreaterThan(5);
    expect(cases.filter((c) => !c.name.endsWith(' [normal]')).map((c) => c.name)).toEqual([
      'suite error 1',
    ]);
    const json = JSON.parse(readFileSync(join(reports, 'result.json'), 'utf8'));
    expect(json.crashes).toEqual([
      'interrupted by SIGINT during scenario revoke-at-end, after 1 of 2 scenarios',
    ]);
  });

  test('bad input: no program, an unknown scenario, a program that cannot start -> exit 2', async () => {
    const none = await runCli(['client', '--scenario', 'normal']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no program given/);
    const unknown = await runCli(['client', '--scenario', 'nope', '--', 'true']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown scenario "nope" \(known: normal, revoke-at-end, /);
    const missing = await runCli(['client', '--scenario', 'normal', '--', 'no-such-program-here']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /cannot start "no-such-program-here": spawn no-such-program-here ENOENT/,
    );
    const flag = await runCli(['client', '--timeout', 'soon', '--', 'true']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--timeout must be a whole number/);
    const listed = await runCli(['client', '--list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').filter(Boolean)).toHaveLength(12);
    expect(existsSync(packagePath('specs', 'client-scenarios.json'))).toBe(true);
  });
});
