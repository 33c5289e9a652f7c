// Both directions: the suite passes the reference mock (nothing skipped for want of a trigger: the
// mock supports every one; one check is not judged by design, MOCK_NOT_JUDGED) and fails each deliberately broken variant on exactly the requirements it breaks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type MockHandle, startMock } from '../src/mock/index.ts';
import {
  BROKEN_VARIANTS,
  LIVE_429_DRIFT,
  MOCK_TOKEN_LIMITS,
  VARIANT_SEED,
} from './support/broken-mocks.ts';
import {
  failedRequirementIds,
  MOCK_NOT_JUDGED,
  readJunit,
  runCli,
  runSuite,
  skippedNames,
  tempDir,
  writeJson,
} from './support/cli.ts';

const RATE_LIMIT = { requests: 10, windowSeconds: 2 };

const mocks: MockHandle[] = [];
afterAll(async () => {
  await Promise.all(mocks.map((mock) => mock.close()));
});

function runAgainst(
  mock: MockHandle,
  name: string,
  extraArgs: string[] = [],
  extraConfig: Record<string, unknown> = {},
) {
  // A short revocation wait: the revoke-noop variant watches tokens that never go.
  const config = {
    accounts: mock.accounts,
    rateLimit: RATE_LIMIT,
    revokeRateLimit: RATE_LIMIT,
    faultHook: true,
    revocationWaitSeconds: 2,
    ...MOCK_TOKEN_LIMITS,
    ...extraConfig,
  };
  return runSuite(name, mock.url, config, ['--seed', '42', ...extraArgs]);
}

describe('the suite against the reference mock', () => {
  test('the embedded mock (npm start) passes every testcase it can judge, exit 0', async () => {
    const dir = tempDir('embedded');
    const result = await runCli(['run', '--reports', dir, '--seed', '1']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code, result.stdout).toBe(0);
    const cases = readJunit(join(dir, 'junit.xml'));
    expect(cases.length).toBeGreaterThan(60);
    expect(skippedNames(cases)).toEqual(MOCK_NOT_JUDGED);
    expect(cases.filter((c) => c.state === 'failed')).toEqual([]);
    expect(result.stdout).toMatch(
      /passed \d+, failed 0, warnings 0, skipped 1\n {2}skipped 1: not judged: not a 401 \(got 400\)/,
    );
    // The active-token limit, unasked, on the account only it uses: 4 token and 3 revoke requests.
    const limit = cases.find((c) => c.properties.requirement === 'token.active-token-limit');
    expect(limit?.state).toBe('passed');
    expect(JSON.stringify(limit?.properties)).toMatch(/access_denied .* after exactly 3 tokens/);
    expect(result.stdout).toContain(
      'the active-token limit (3) is checked first: 4 token and 3 revoke requests of the tokenLimit account, an account nothing else uses',
    );
    expect(result.stdout).toMatch(/^ {2}plan .*tokenLimit 4\/3/m);
    expect(result.stdout).toMatch(/^spent .*tokenLimit 4\/3/m);
    expect(result.stdout).toContain('seed 1');
  });

  test('every testcase name carries a requirement id and its properties', async () => {
    const mock = await startMock({ rateLimit: RATE_LIMIT, seed: 3 });
    mocks.push(mock);
    const { code, cases } = await runAgainst(mock, 'properties');
    expect(code).toBe(0);
    for (const c of cases) {
      expect(c.name).toMatch(/^(token|revoke|probe)\.[\w.-]+ \[.+\]$/);
      expect(c.properties.requirement).toBe(c.name.split(' [')[0]);
      expect(c.properties.level).toMatch(/^(documented|rfc-must|rfc-should|observed)$/);
      expect(c.properties.source).toBeTruthy();
    }
  });
});

describe.concurrent('the suite against broken mocks', () => {
  test.each(BROKEN_VARIANTS.map((variant) => [variant.name, variant] as const))(
    '%s is caught on exactly its requirements',
    async (_name, variant) => {
      const mock = await startMock({
        rateLimit: RATE_LIMIT,
        seed: VARIANT_SEED,
        ...variant.options,
      });
      mocks.push(mock);
      const { code, cases, stdout } = await runAgainst(
        mock,
        variant.name,
        variant.args,
        variant.config,
      );
      expect(failedRequirementIds(cases), `${variant.deviation}\n${stdout}`).toEqual(
        [...variant.expectedFailures].sort(),
      );
      expect(code).toBe(1);
      for (const failed of cases.filter((c) => c.state === 'failed')) {
        // A failure says what was expected, what came, and shows the exchange.
        expect(failed.failure).toContain('exchange:');
        expect(failed.failure).toMatch(/^> (GET|POST) http/m);
      }
    },
  );
});

describe('the active-token limit, when asked', () => {
  test('token.active-token-limit [no account of its own: the secondary, at 5, with --check-token-limit; its cost is in the plan]', async () => {
    const mock = await startMock({ rateLimit: RATE_LIMIT, seed: VARIANT_SEED, maxActiveTokens: 5 });
    mocks.push(mock);
    const { primary, secondary, accessDenied, invalidGrant } = mock.accounts;
    // As against a real target: no tokenLimit account, no limit stated for one.
    const run = await runAgainst(mock, 'token-limit', ['--check-token-limit'], {
      accounts: { primary, secondary, accessDenied, invalidGrant },
      maxActiveTokensByRole: {},
      maxActiveTokens: 5,
    });
    expect(failedRequirementIds(run.cases), run.stdout).toEqual([]);
    const limit = run.cases.find((c) => c.properties.requirement === 'token.active-token-limit');
    expect(limit?.state).toBe('passed');
    expect(run.stdout).toContain(
      'the active-token limit (5) is checked first: 6 token and 5 revoke requests of the secondary account',
    );
    expect(JSON.stringify(limit?.properties)).toMatch(
      /refused with 403 access_denied .* after exactly 5 tokens/,
    );
  });
});

describe('severity: the level decides, --strict hardens', () => {
  test('an rfc-should finding warns by default and fails with --strict [no Pragma]', async () => {
    const mock = await startMock({
      rateLimit: RATE_LIMIT,
      tamper: (res) => ({
        ...res,
        headers: Object.fromEntries(
          Object.entries(res.headers).filter(([name]) => name.toLowerCase() !== 'pragma'),
        ),
      }),
    });
    mocks.push(mock);
    const lenient = await runAgainst(mock, 'no-pragma');
    expect(lenient.code).toBe(0);
    expect(failedRequirementIds(lenient.cases)).toEqual([]);
    expect(lenient.cases.filter((c) => c.properties.warning).map((c) => c.name)).toEqual([
      'token.rfc.pragma [client_credentials]',
    ]);
    expect(lenient.stdout).toMatch(
      /^ {2}! token\.rfc\.pragma \[client_credentials\]: no Pragma header$/m,
    );
    expect(lenient.stdout).toMatch(/warnings 1/);

    const strict = await runAgainst(mock, 'no-pragma-strict', ['--strict']);
    expect(strict.code).toBe(1);
    expect(failedRequirementIds(strict.cases)).toEqual(['token.rfc.pragma']);
  });
});

describe('drift: the live 429 body (Atlas ApiError)', () => {
  test('fails the documented body, saying it is known drift; --accept-drift passes it, marked drift', async () => {
    const mock = await startMock({ rateLimit: RATE_LIMIT, seed: VARIANT_SEED, ...LIVE_429_DRIFT });
    mocks.push(mock);
    const strictRun = await runAgainst(mock, 'drift');
    expect(failedRequirementIds(strictRun.cases)).toEqual([
      'revoke.rate_limited.body',
      'token.rate_limited.body',
    ]);
    expect(strictRun.code).toBe(1);
    const failure = strictRun.cases.find(
      (c) => c.name === 'token.rate_limited.body [burst past the limit]',
    )?.failure;
    expect(failure).toMatch(
      /This is known drift: the live service has answered 429 with Atlas's ApiError body/,
    );
    expect(failure).toContain('--accept-drift accepts it');
    // The limit is still read from the ApiError's detail.
    expect(
      strictRun.cases.find((c) => c.name === 'token.rate-limit.stated [burst past the limit]')
        ?.state,
    ).toBe('passed');

    const lenient = await runAgainst(mock, 'drift-accepted', ['--accept-drift']);
    expect(lenient.code).toBe(0);
    expect(failedRequirementIds(lenient.cases)).toEqual([]);
    const drift = lenient.cases.filter((c) => c.properties.drift).map((c) => c.name);
    expect(drift).toEqual([
      'token.rate_limited.body [burst past the limit]',
      'revoke.rate_limited.body [burst past the limit]',
    ]);
  });
});

describe('--allow: expected deviations', () => {
  test('allowed failures are reported as allowed, a stale entry fails the run (or warns), an expired one fails it', {
    timeout: 240_000,
  }, async () => {
    const variant = BROKEN_VARIANTS.find((candidate) => candidate.name === 'wrong-error-code');
    const mock = await startMock({
      rateLimit: RATE_LIMIT,
      seed: VARIANT_SEED,
      ...variant?.options,
    });
    mocks.push(mock);
    const dir = tempDir('allow');
    const until = '2099-12-31';
    const deviations = [
      { requirement: 'token.invalid_client.401', reason: 'fix in release 42', expires: until },
      { requirement: 'token.error.body', reason: 'same fix', expires: until },
      { requirement: 'token.no-client-auth.rejected', reason: 'same fix', expires: until },
    ];
    const allowAll = writeJson(dir, 'allow.json', {
      allow: [
        ...deviations,
        { requirement: 'token.200.status', reason: 'was broken last month', expires: until },
      ],
    });
    // A stale entry (token.200.status passes) fails the run by default, with its own line.
    const stale = await runAgainst(mock, 'allow-stale', ['--allow', allowAll]);
    expect(stale.code, stale.stdout).toBe(1);
    // junit.xml says so too: a CI that reads only the report must see why the run failed.
    expect(failedRequirementIds(stale.cases)).toEqual(['allowance.stale']);
    expect(stale.cases.find((c) => c.state === 'failed')?.name).toBe(
      'allowance.stale [token.200.status]',
    );
    expect(stale.stdout).toContain(
      'stale allowance, which fails the run: token.200.status now passes; remove it from the allow list (--allow-stale warn makes this a warning)',
    );
    const staleResult = JSON.parse(readFileSync(join(stale.reports, 'result.json'), 'utf8'));
    expect(staleResult.allowStale).toBe('fail');
    expect(
      staleResult.allowances.map((a: { requirement: string; status: string }) => [
        a.requirement,
        a.status,
      ]),
    ).toEqual([
      ['token.invalid_client.401', 'allowed'],
      ['token.error.body', 'allowed'],
      ['token.no-client-auth.rejected', 'allowed'],
      ['token.200.status', 'now-passing'],
    ]);

    // --allow-stale warn: the same list passes, the stale entry still said.
    const allowed = await runAgainst(mock, 'allow-all', [
      '--allow',
      allowAll,
      '--allow-stale',
      'warn',
    ]);
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(failedRequirementIds(allowed.cases)).toEqual([]);
    const wrongSecret = allowed.cases.find(
      (c) => c.name === 'token.invalid_client.401 [wrong secret]',
    );
    expect(wrongSecret?.state).toBe('skipped');
    expect(wrongSecret?.properties.allowed).toMatch(
      /got 401 invalid_request \(allowed until 2099-12-31: fix in release 42\)/,
    );
    expect(allowed.stdout).toContain(
      'stale allowance (warning under --allow-stale warn): token.200.status now passes; remove it from the allow list',
    );
    expect(allowed.stdout).toMatch(/allowed \d+/);

    // One case of a requirement: only that testcase is allowed; its sibling case still fails.
    const oneCase = writeJson(dir, 'one-case.json', {
      allow: [
        {
          requirement: 'token.invalid_client.401 [wrong secret]',
          reason: 'only this case',
          expires: until,
        },
        ...deviations.slice(1),
      ],
    });
    const perCase = await runAgainst(mock, 'allow-case', ['--allow', oneCase]);
    expect(perCase.code, perCase.stdout).toBe(1);
    expect(perCase.cases.filter((c) => c.state === 'failed').map((c) => c.name)).toEqual([
      'token.invalid_client.401 [unknown client id]',
    ]);
    expect(
      perCase.cases.find((c) => c.name === 'token.invalid_client.401 [wrong secret]')?.properties
        .allowed,
    ).toMatch(/only this case/);

    const expiredFile = writeJson(dir, 'expired.json', {
      allow: [
        { requirement: 'token.invalid_client.401', reason: 'fix in release 42', expires: until },
        { requirement: 'token.error.body', reason: 'same fix', expires: until },
        {
          requirement: 'token.no-client-auth.rejected',
          reason: 'promised for 2020',
          expires: '2020-01-01',
        },
      ],
    });
    const expired = await runAgainst(mock, 'allow-expired', ['--allow', expiredFile]);
    expect(expired.code).toBe(1);
    expect(failedRequirementIds(expired.cases)).toEqual([
      'allowance.expired',
      'token.no-client-auth.rejected',
    ]);
    expect(expired.stdout).toContain(
      'allowance expired on 2020-01-01, which fails the run: token.no-client-auth.rejected',
    );
  });

  test('a stale entry for one case: the case passes, so the entry fails the run', async () => {
    const file = writeJson(tempDir('allow-case-stale'), 'allow.json', {
      allow: [
        {
          requirement: 'token.invalid_client.401 [wrong secret]',
          reason: 'fixed since',
          expires: '2099-01-01',
        },
      ],
    });
    const mock = await startMock({ rateLimit: RATE_LIMIT, seed: 3 });
    mocks.push(mock);
    const result = await runAgainst(mock, 'allow-case-stale', ['--allow', file]);
    expect(result.code, result.stdout).toBe(1);
    expect(result.cases.filter((c) => c.state === 'failed').map((c) => c.name)).toEqual([
      'allowance.stale [token.invalid_client.401 [wrong secret]]',
    ]);
    expect(result.stdout).toContain(
      'stale allowance, which fails the run: token.invalid_client.401 [wrong secret] now passes',
    );
  });

  test('an allow entry naming a case the requirement does not have is refused with exit 2', async () => {
    const file = writeJson(tempDir('allow-bad-case'), 'allow.json', {
      allow: [
        {
          requirement: 'token.invalid_client.401 [wrong secrett]',
          reason: 'typo',
          expires: '2099-01-01',
        },
      ],
    });
    const result = await runCli(['run', '--allow', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `oauth-conformance: allow file ${file}: token.invalid_client.401 has no case "wrong secrett" (its cases: [unknown client id], [wrong secret])`,
    );
    const bad = await runCli(['run', '--allow-stale', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'oauth-conformance: --allow-stale must be fail or warn, not "maybe"',
    );
  });

  test('an allow file naming an unknown requirement is refused with exit 2', async () => {
    const file = writeJson(tempDir('allow-bad'), 'allow.json', {
      allow: [{ requirement: 'token.no-such-thing', reason: 'typo', expires: '2099-01-01' }],
    });
    const result = await runCli(['run', '--allow', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^oauth-conformance: allow file .* unknown requirement token\.no-such-thing$/,
    );
  });
});
