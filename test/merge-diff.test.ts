// merge and diff on the reports of real runs: the embedded mock (conforming), a broken variant of
// the mock (wrong-error-code: three requirements fail), and the same variant with its deviation
// allowed. Then the same commands on hand-made result.json files: bad input and hostile input.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validate } from '../src/contract/schemas.ts';
import { type MockHandle, startMock } from '../src/mock/index.ts';
import type { ResultDiff } from '../src/report/diff.ts';
import { TOOL_VERSION } from '../src/shared/paths.ts';
import { BROKEN_VARIANTS, VARIANT_SEED } from './support/broken-mocks.ts';
import { readJunit, runCli, runSuite, type SuiteRun, tempDir, writeJson } from './support/cli.ts';

const XSD = '/work/shared/junit-10.xsd';
const JUNIT_XSD = existsSync(XSD) ? XSD : join(import.meta.dirname, 'fixtures', 'junit-10.xsd');
const RATE_LIMIT = { requests: 10, windowSeconds: 2 };
const VARIANT = BROKEN_VARIANTS.find((candidate) => candidate.name === 'wrong-error-code');
const BROKEN_FAILURES = [
  'token.error.body [no client authentication]',
  'token.error.body [unknown client id]',
  'token.error.body [wrong secret]',
  'token.invalid_client.401 [unknown client id]',
  'token.invalid_client.401 [wrong secret]',
  'token.no-client-auth.rejected [no client authentication]',
];

const root = tempDir('merge-diff');
let mock: MockHandle;
/** The embedded mock: passes. */
let good: string;
/** The broken variant: fails. */
let broken: SuiteRun;
/** The broken variant with its deviation allowed, one entry per requirement or case: passes. */
let allowed: SuiteRun;

function xmllint(path: string): string {
  return execFileSync('/usr/bin/xmllint', ['--noout', '--schema', JUNIT_XSD, path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function readJson(path: string) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

beforeAll(async () => {
  if (!VARIANT)
    throw new Error('the wrong-error-code variant is gone from test/support/broken-mocks.ts');
  mock = await startMock({ rateLimit: RATE_LIMIT, seed: VARIANT_SEED, ...VARIANT.options });
  const config = {
    accounts: mock.accounts,
    rateLimit: RATE_LIMIT,
    revokeRateLimit: RATE_LIMIT,
    faultHook: true,
    revocationWaitSeconds: 2,
  };
  good = join(root, 'embedded');
  const until = '2099-12-31';
  const allowFile = writeJson(root, 'allow.json', {
    allow: [
      { requirement: 'token.error.body', reason: 'TICKET-1', expires: until },
      {
        requirement: 'token.invalid_client.401 [unknown client id]',
        reason: 'TICKET-2',
        expires: until,
      },
      {
        requirement: 'token.invalid_client.401 [wrong secret]',
        reason: 'TICKET-2',
        expires: until,
      },
      { requirement: 'token.no-client-auth.rejected', reason: 'TICKET-3', expires: until },
    ],
  });
  // One run at a time: the variant's fault hook and limits are shared by its two runs, and two
  // runs at once on a loaded 2-core machine can slow the embedded mock's burst past its window.
  const embedded = await runCli(['run', '--reports', good, '--seed', '1', '--fuzz', '0']);
  const brokenRun = await runSuite('merge-broken', mock.url, config, ['--seed', '42']);
  const allowedRun = await runSuite('merge-allowed', mock.url, config, [
    '--seed',
    '42',
    '--allow',
    allowFile,
  ]);
  expect(embedded.code, embedded.stdout).toBe(0);
  broken = brokenRun;
  allowed = allowedRun;
  expect(broken.code, broken.stdout).toBe(1);
  expect(allowed.code, allowed.stdout).toBe(0);
}, 240_000);

afterAll(async () => {
  await mock?.close();
});

describe('merge: reports of real runs as one verdict', () => {
  test('a passing and a failing run: exit 1, one testsuite per run, valid JUnit, every failure kept', async () => {
    const out = join(root, 'merged');
    const result = await runCli(['merge', good, broken.reports, '--reports', out]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('  ✓ embedded reference mock (atlas): passed');
    expect(result.stdout).toContain(`  ✗ ${mock.url} (atlas): failed; passed`);
    expect(result.stdout).toMatch(/^failed: passed \d+, failed 6, /m);

    const xml = join(out, 'junit.xml');
    expect(xmllint(xml)).toBe('');
    const text = readFileSync(xml, 'utf8');
    const suites = [...text.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)"/g)];
    expect(suites.map((m) => [m[1], m[3]])).toEqual([
      ['embedded reference mock (atlas)', '0'],
      [`${mock.url} (atlas)`, '6'],
    ]);
    const cases = readJunit(xml);
    expect(cases.length).toBe(
      readJunit(join(good, 'junit.xml')).length +
        readJunit(join(broken.reports, 'junit.xml')).length,
    );
    expect(
      cases
        .filter((c) => c.state === 'failed')
        .map((c) => c.name)
        .sort(),
    ).toEqual(BROKEN_FAILURES);

    const merged = readJson(join(out, 'result.json'));
    expect(validate('urn:oauth-conformance:schemas:merged-result', merged).errors).toEqual([]);
    expect(merged.verdict).toBe('failed');
    expect(merged.runs.map((run: { verdict: string }) => run.verdict)).toEqual([
      'passed',
      'failed',
    ]);
    expect(merged.totals.failed).toBe(6);
  });

  test('the overview: a cell per target and requirement, linking to the requirement in that run', () => {
    const out = join(root, 'merged');
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('data-status="failed"');
    const cell = (run: number, requirement: string) =>
      new RegExp(
        `<td class="cell c-(\\w+)" data-cell="${run} ${requirement.replace(/\./g, '\\.')}" data-verdict="\\w+"><a href="([^"]+)">([^<]+)</a>`,
      ).exec(html);
    expect(cell(0, 'token.invalid_client.401')?.[1]).toBe('pass');
    const failing = cell(1, 'token.invalid_client.401');
    expect(failing?.[1]).toBe('fail');
    expect(failing?.[3]).toBe('fail');
    expect(cell(1, 'token.error.body')?.[3]).toMatch(/^fail 3\/\d+$/);
    // The link leads to the run's own page, at the requirement's anchor, which exists there.
    const href = failing?.[2] ?? '';
    expect(href).toMatch(
      /^(\.\.\/)+oauth-conformance-merge-broken-[^/]+\/reports\/index\.html#req-token\.invalid_client\.401$/,
    );
    const [path, fragment] = href.split('#') as [string, string];
    const page = readFileSync(join(out, decodeURIComponent(path)), 'utf8');
    expect(page).toContain(`id="${decodeURIComponent(fragment)}"`);
    expect(decodeURIComponent(fragment)).toBe('req-token.invalid_client.401');
  });

  test('the deviation allowed per requirement and case: the merge passes, the cells say allowed', async () => {
    const out = join(root, 'merged-allowed');
    const result = await runCli(['merge', good, allowed.reports, '--reports', out]);
    expect(result.code, result.stdout).toBe(0);
    expect(xmllint(join(out, 'junit.xml'))).toBe('');
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('data-status="passed"');
    expect(html).toMatch(/data-cell="1 token\.invalid_client\.401" data-verdict="allowed"/);
    expect(html).toMatch(/data-cell="1 token\.no-client-auth\.rejected" data-verdict="allowed"/);
  });

  test('a run written with a stale allowance fails the merge, as it failed the run', async () => {
    const dir = join(root, 'stale');
    cpSync(good, dir, { recursive: true });
    const result = readJson(join(dir, 'result.json'));
    result.allowances = [
      {
        requirement: 'token.200.status',
        reason: 'old',
        expires: '2099-01-01',
        status: 'now-passing',
      },
    ];
    result.allowStale = 'fail';
    writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
    const failing = await runCli(['merge', dir, '--reports', join(root, 'merged-stale')]);
    expect(failing.code, failing.stdout).toBe(1);
    const staleXml = join(root, 'merged-stale', 'junit.xml');
    expect(xmllint(staleXml)).toBe('');
    expect(
      readJunit(staleXml)
        .filter((c) => c.state === 'failed')
        .map((c) => c.name),
    ).toEqual(['allowance.stale [token.200.status]']);
    result.allowStale = 'warn';
    writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
    const warned = await runCli(['merge', dir, '--reports', join(root, 'merged-stale')]);
    expect(warned.code, warned.stdout).toBe(0);
  });
});

describe('diff: what changed between two runs', () => {
  test('BASE passing, HEAD broken: the new failures, exit 1', async () => {
    const result = await runCli([
      'diff',
      join(good, 'result.json'),
      join(broken.reports, 'result.json'),
    ]);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/: 6 new failures, 0 fixed, 0 lost \(coverage\)/);
    expect(result.stdout).toContain(
      '  ✗ token.invalid_client.401 [wrong secret] (was passed): expected 401 invalid_client, got 401 invalid_request',
    );
    expect(result.stdout).toContain('6 new failures and 0 testcases lost: exit 1');
  });

  test('BASE broken, HEAD passing, as --json: the fixes, exit 0', async () => {
    const result = await runCli([
      'diff',
      join(broken.reports, 'result.json'),
      join(good, 'result.json'),
      '--json',
    ]);
    expect(result.code, result.stdout).toBe(0);
    const diff = JSON.parse(result.stdout) as ResultDiff;
    expect(diff.fixed.map((entry) => entry.name).sort()).toEqual(BROKEN_FAILURES);
    expect(diff.fixed.every((entry) => entry.base === 'failed' && entry.head === 'passed')).toBe(
      true,
    );
    expect(diff.newFailures).toEqual([]);
    expect(diff.lost).toEqual([]);
    expect(diff.exitCode).toBe(0);
  });

  test('a testcase gone from HEAD is coverage lost (exit 1); a changed stated limit is reported', async () => {
    const dir = join(root, 'edited');
    mkdirSync(dir, { recursive: true });
    const head = readJson(join(good, 'result.json'));
    const gone = head.testcases.find((c: { name: string }) =>
      c.name.startsWith('revoke.200.status'),
    );
    head.testcases = head.testcases.filter((c: { name: string }) => c !== gone);
    const stated = head.testcases.find(
      (c: { requirement: string }) => c.requirement === 'token.rate-limit.stated',
    );
    expect(stated.notes).toEqual(['states 10 per 2 s (the words)']);
    stated.notes = ['states 50 per 2 s (the words)'];
    writeJson(dir, 'result.json', head);
    const result = await runCli(['diff', join(good, 'result.json'), join(dir, 'result.json')]);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toContain(`  - ${gone.name} (was passed)`);
    expect(result.stdout).toContain(
      '  ~ token.rate-limit.stated [burst past the limit]: states 10 per 2 s -> states 50 per 2 s',
    );
    expect(result.stdout).toContain('0 new failures and 1 testcases lost: exit 1');
  });

  test('two merges are compared run by run', async () => {
    const base = join(root, 'merged-allowed', 'result.json');
    const head = join(root, 'merged', 'result.json');
    const result = await runCli(['diff', base, head, '--json']);
    expect(result.code, result.stdout).toBe(1);
    const diff = JSON.parse(result.stdout) as ResultDiff;
    expect(diff.newFailures.map((entry) => `${entry.run}: ${entry.name}`).sort()).toEqual(
      BROKEN_FAILURES.map((name) => `${mock.url} (atlas): ${name}`),
    );
    expect(diff.newFailures.every((entry) => entry.base === 'allowed')).toBe(true);
  });
});

describe('bad input: one line, exit 2', () => {
  test.each([
    ['no directory', ['merge'], /^oauth-conformance: no reports directory given \(usage: /],
    [
      'a directory without reports',
      ['merge', '/nonexistent-h16b'],
      /^oauth-conformance: \/nonexistent-h16b\/result\.json: no such file \(merge reads the reports/,
    ],
    [
      'one argument to diff',
      ['diff', 'a.json'],
      /^oauth-conformance: diff takes two result\.json files, not 1/,
    ],
    ['an unknown flag', ['merge', '--nope', 'x'], /^oauth-conformance: Unknown option '--nope'/],
  ])('%s', async (_name, args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(message);
  });

  test('a result.json of another version, one that is not JSON, and OUT among the inputs', async () => {
    const old = join(root, 'old');
    cpSync(good, old, { recursive: true });
    const result = readJson(join(old, 'result.json'));
    result.tool.version = '0.0.1';
    writeJson(old, 'result.json', result);
    const other = await runCli(['merge', good, old, '--reports', join(root, 'x')]);
    expect(other.code).toBe(2);
    expect(other.stderr.trim()).toBe(
      `oauth-conformance: ${old}/result.json was written by oauth-conformance "0.0.1"; this is ${TOOL_VERSION}: compare and merge reports of one version (run it again with this one)`,
    );
    const notJson = join(root, 'not-json');
    mkdirSync(notJson);
    writeFileSync(join(notJson, 'result.json'), '{"tool": ');
    const parsed = await runCli(['diff', join(notJson, 'result.json'), join(good, 'result.json')]);
    expect(parsed.code).toBe(2);
    expect(parsed.stderr.trim()).toBe(`oauth-conformance: ${notJson}/result.json is not JSON`);
    const into = await runCli(['merge', good, broken.reports, '--reports', good]);
    expect(into.code).toBe(2);
    expect(into.stderr).toMatch(/--reports .* is one of the directories merged/);
    expect(existsSync(join(good, 'result.json'))).toBe(true);
    const mixed = await runCli([
      'diff',
      join(good, 'result.json'),
      join(root, 'merged', 'result.json'),
    ]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/is one run's result and .* a merged result/);
  });
});

describe('hostile result.json: bounded, escaped, scanned', () => {
  test('markup, terminal escapes and a megabyte reason do not escape their place; a JWT is caught', async () => {
    const dir = join(root, 'hostile');
    cpSync(good, dir, { recursive: true });
    const result = readJson(join(dir, 'result.json'));
    result.target = 'http://x/"><script>alert(1)</script>';
    result.targetKind = 'url';
    const victim = result.testcases[0];
    victim.name = 'token.200.status [\u001b[2J<img src=x onerror=alert(1)>]]></system-out>';
    victim.requirement = 'token.200.status"><script>alert(2)</script>';
    victim.outcome = 'failed';
    victim.reason = `\u001b]0;pwned\u0007${'A'.repeat(1_000_000)}`;
    victim.details = ']]></failure><testcase name="injected"/>';
    writeJson(dir, 'result.json', result);
    const out = join(root, 'merged-hostile');
    const merged = await runCli(['merge', dir, '--reports', out]);
    expect(merged.code, merged.stderr).toBe(1);
    expect(merged.stdout).not.toContain('\u001b');
    expect(merged.stdout).toContain('  ✗ http://x/"><script>alert(1)</script> (atlas): failed');
    expect(xmllint(join(out, 'junit.xml'))).toBe('');
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(xml).not.toContain('<testcase name="injected"');
    expect(xml.length).toBeLessThan(readFileSync(join(good, 'junit.xml'), 'utf8').length + 20_000);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;alert(2)');
    const json = readJson(join(out, 'result.json'));
    expect(json.runs[0].report.testcases[0].reason).toMatch(/… \(1,000,010 characters in all\)$/);

    const diff = await runCli(['diff', join(good, 'result.json'), join(dir, 'result.json')]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).not.toContain('\u001b');
    expect(diff.stdout).toContain('\\u001b[2J');

    // A token-shaped text in a run's report: the merged file holding it is removed, exit 1.
    victim.reason = 'eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    writeJson(dir, 'result.json', result);
    const leaking = await runCli(['merge', dir, '--reports', join(root, 'merged-leak')]);
    expect(leaking.code).toBe(1);
    expect(leaking.stdout).toMatch(/SECRET IN REPORT: .*junit\.xml contained a JWT/);
    expect(existsSync(join(root, 'merged-leak', 'junit.xml'))).toBe(false);
  });

  test('more testcases than a run can have is refused', async () => {
    const dir = join(root, 'huge');
    mkdirSync(dir);
    const result = readJson(join(good, 'result.json'));
    const one = result.testcases[0];
    result.testcases = Array.from({ length: 20_001 }, () => one);
    writeJson(dir, 'result.json', result);
    const refused = await runCli(['merge', dir, '--reports', join(root, 'merged-huge')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      `oauth-conformance: ${dir}/result.json holds 20001 testcases, more than the 20000 a run may have`,
    );
  });
});
