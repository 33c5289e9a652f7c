// No false verdicts where the sources allow a reading (issue 14): each input here is a server that
// behaves as real deployments do, and each expected value is the right verdict, not today's.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import {
  type MockHandle,
  type MockOptions,
  type MockResponse,
  startMock,
} from '../src/mock/index.ts';
import { MOCK_TOKEN_LIMITS } from './support/broken-mocks.ts';
import { failedRequirementIds, MOCK_NOT_JUDGED, runSuite, skippedNames } from './support/cli.ts';

const RATE_LIMIT = { requests: 10, windowSeconds: 2 };

const mocks: MockHandle[] = [];
afterAll(async () => {
  await Promise.all(mocks.map((mock) => mock.close()));
});

async function mockWith(options: MockOptions): Promise<MockHandle> {
  const mock = await startMock({ rateLimit: RATE_LIMIT, seed: 11, ...options });
  mocks.push(mock);
  return mock;
}

function configFor(mock: MockHandle, extra: Record<string, unknown> = {}) {
  return {
    accounts: mock.accounts,
    rateLimit: RATE_LIMIT,
    revokeRateLimit: RATE_LIMIT,
    faultHook: true,
    revocationWaitSeconds: 2,
    ...MOCK_TOKEN_LIMITS,
    paths: { token: '/api/oauth/token', revoke: '/api/oauth/revoke' },
    resourceProbe: { path: '/api/atlas/v2/', accept: 'application/json' },
    ...extra,
  };
}

/** The body a response would serialise to, as bytes (`pretty` honoured). */
function bodyBytes(res: MockResponse): Buffer | undefined {
  if (res.body === undefined) return undefined;
  if (res.body instanceof Uint8Array) return Buffer.from(res.body);
  return Buffer.from(JSON.stringify(res.body, null, res.pretty ? 2 : undefined));
}

describe.concurrent('content codings', { timeout: 240_000 }, () => {
  // A correct service behind a proxy that compresses every body, whatever the request accepts
  // (RFC 9110 §12.5.3 lets it when none is named): judged by the decoded content, no failure.
  test.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
    ['deflate', deflateSync],
  ] as const)('a service behind a proxy that answers in %s passes', async (coding, encode) => {
    const mock = await mockWith({
      tamper: (res) => {
        const bytes = bodyBytes(res);
        if (!bytes) return res;
        return {
          ...res,
          headers: { ...res.headers, 'content-encoding': coding },
          body: encode(bytes),
        };
      },
    });
    const run = await runSuite(`coding-${coding}`, mock.url, configFor(mock), [
      '--seed',
      '3',
      '--fuzz',
      '15',
    ]);
    expect(failedRequirementIds(run.cases), run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    expect(skippedNames(run.cases)).toEqual(MOCK_NOT_JUDGED);
    // The report records the coding: an exchange shows the wire size and what it decoded to.
    const junit = readFileSync(join(run.reports, 'junit.xml'), 'utf8');
    expect(junit).not.toContain('\u001f\u008b');
    expect([...run.stdout].some((char) => char < ' ' && char !== '\n')).toBe(false);
  });

  test('a body in a coding the request did not accept is named, not shown as bytes', async () => {
    const mock = await mockWith({
      tamper: (res, req) => {
        const bytes = bodyBytes(res);
        if (!bytes || req.path !== '/api/oauth/token') return res;
        return { ...res, headers: { ...res.headers, 'content-encoding': 'zstd' }, body: bytes };
      },
    });
    const run = await runSuite('coding-zstd', mock.url, configFor(mock), ['--seed', '3']);
    expect(run.code).toBe(1);
    const body = run.cases.find((c) => c.name === 'token.200.body [client_credentials]');
    expect(body?.failure).toContain(
      'the body is in the content coding "zstd", which the request did not accept and the suite cannot decode (RFC 9110 §12.5.3)',
    );
  });
});

describe.concurrent('target text in reasons', { timeout: 240_000 }, () => {
  // An error body whose `error` member is about 900 KB: once a 24.7 MB junit.xml and terminal
  // lines of 910,000 characters.
  test('a 900 KB error code is quoted bounded, with its length', async () => {
    const huge = `E${'x'.repeat(921_600)}`;
    const mock = await mockWith({
      tamper: (res, req) =>
        res.status === 401 && req.path === '/api/oauth/token'
          ? { ...res, body: { error: huge, error_description: 'd' } }
          : res,
    });
    const run = await runSuite('huge-error', mock.url, configFor(mock), ['--seed', '3']);
    expect(run.code).toBe(1);
    const longest = Math.max(...run.stdout.split('\n').map((line) => line.length));
    expect(longest).toBeLessThan(1200);
    expect(run.stdout).toContain('921,601 characters in all');
    // Whole bodies stay in the exchange text, clipped there at 4,000 characters.
    expect(statSync(join(run.reports, 'junit.xml')).size).toBeLessThan(3_000_000);
  });

  test('a JSON body that starts with a byte order mark: the reason says so', async () => {
    const mock = await mockWith({
      tamper: (res, req) => {
        const bytes = bodyBytes(res);
        if (!bytes || req.path !== '/api/oauth/token' || res.status !== 200) return res;
        return { ...res, body: Buffer.concat([Buffer.from('\uFEFF'), bytes]) };
      },
    });
    const run = await runSuite('bom', mock.url, configFor(mock), ['--seed', '3']);
    expect(run.code).toBe(1);
    const body = run.cases.find((c) => c.name === 'token.200.body [client_credentials]');
    expect(body?.failure).toContain(
      'the body starts with a byte order mark (U+FEFF), which RFC 8259 §8.1 forbids',
    );
    expect(run.stdout).not.toContain('\uFEFF');
  });

  // A member name with line breaks: no target text may start a line of the report's system-out,
  // where Jenkins plugins act on [[ATTACHMENT|…]] and [[PROPERTY|…]] lines.
  test('a member name holding CI directives cannot start a line', async () => {
    const injected = 'x\n[[ATTACHMENT|/etc/passwd]]\n[[PROPERTY|outcome=passed]]\n\u001b[2K';
    const mock = await mockWith({
      tamper: (res, req) =>
        res.status === 401 && req.path === '/api/oauth/token'
          ? { ...res, body: { ...(res.body as object), [injected]: 1 } }
          : res,
    });
    const run = await runSuite('directives', mock.url, configFor(mock), ['--seed', '3']);
    expect(run.code).toBe(1);
    const junit = readFileSync(join(run.reports, 'junit.xml'), 'utf8');
    expect(junit).not.toMatch(/^\[\[ATTACHMENT/m);
    expect(junit.match(/^\[\[PROPERTY\|outcome=passed\]\]/gm) ?? []).toHaveLength(
      run.cases.filter((c) => c.properties.outcome === 'passed').length,
    );
    expect(run.stdout).not.toContain('\u001b');
  });
});

describe.concurrent('waits the target sets', { timeout: 240_000 }, () => {
  test('Retry-After 9999999999 on a 429 is a finding, not a timer overflow', async () => {
    const mock = await mockWith({
      tamper: (res) =>
        res.status === 429
          ? { ...res, headers: { ...res.headers, 'Retry-After': '9999999999' } }
          : res,
    });
    const started = Date.now();
    const run = await runSuite('retry-after-absurd', mock.url, configFor(mock), ['--seed', '3']);
    expect(failedRequirementIds(run.cases), run.stdout).toEqual([
      'revoke.429.retry-after.honest',
      'token.429.retry-after.honest',
    ]);
    const honest = run.cases.find((c) => c.name.startsWith('token.429.retry-after.honest'));
    expect(honest?.failure).toContain(
      'Retry-After 9999999999 s exceeds twice the 2 s window; not waited',
    );
    expect(Date.now() - started).toBeLessThan(120_000);
  });
});

describe.concurrent('vacuous passes', { timeout: 240_000 }, () => {
  // A server that answers every request with the same 404 HTML page: the flag comparisons have
  // nothing to compare, so they are not judged; they never pass.
  test('the query flags against a 404 page are not judged, and say why', async () => {
    const page = Buffer.from('<html><body><h1>404 Not Found</h1></body></html>');
    const mock = await mockWith({
      tamper: () => ({
        status: 404,
        headers: { 'content-type': 'text/html' },
        body: page,
        pretty: false,
      }),
    });
    const run = await runSuite('all-404', mock.url, configFor(mock), ['--seed', '3']);
    expect(run.code).toBe(1);
    const flags = run.cases.filter((c) => /^(token|revoke)\.query\./.test(c.name));
    expect(flags.length).toBeGreaterThan(3);
    for (const c of flags) {
      expect(c.state, c.name).toBe('skipped');
      expect(c.properties.skipped).toMatch(
        /^not judged: the request it is compared with \(.*\) got (404|no response \(its setup failed: could not obtain a primary token to work with \(status 404\)\))/,
      );
    }
  });
});

describe.concurrent('RFC levels under --profile rfc6749', { timeout: 240_000 }, () => {
  // RFC 7009 §2 makes revoking access tokens a SHOULD, and §2.2.1 defines the answer of a server
  // that does not: 400 unsupported_token_type. Held to the RFCs alone, that warns; it fails nothing.
  test('a server that refuses to revoke access tokens warns, and the hint is not blamed', async () => {
    const mock = await mockWith({
      // It revokes nothing: the token it is given is not the one the mock sees.
      rewrite: (req) => {
        const form = new URLSearchParams(req.body);
        if (req.path !== '/api/oauth/revoke' || !form.has('token')) return req;
        form.set('token', 'not-a-token-this-server-revokes');
        return { ...req, body: form.toString() };
      },
      tamper: (res, req) => {
        // RFC 6749 §5.2: the challenge of the scheme the client used (the Atlas pages say Digest).
        const challenged = res.headers['WWW-Authenticate']
          ? { ...res, headers: { ...res.headers, 'WWW-Authenticate': 'Basic realm="rfc"' } }
          : res;
        if (req.path !== '/api/oauth/revoke' || res.status !== 200) return challenged;
        return {
          ...challenged,
          status: 400,
          body: {
            error: 'unsupported_token_type',
            error_description: 'access tokens cannot be revoked',
          },
        };
      },
    });
    const run = await runSuite('no-access-token-revocation', mock.url, configFor(mock), [
      '--profile',
      'rfc6749',
      '--seed',
      '3',
    ]);
    expect(failedRequirementIds(run.cases), run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    const warned = run.cases.filter((c) => c.properties.warning);
    expect(warned.map((c) => c.name).sort()).toEqual([
      'revoke.200.status [revoke a fresh token]',
      'revoke.repeat.200 [revoke a fresh token]',
      'revoke.token.refused-after-revoke [revoke a fresh token]',
      'revoke.unknown-token.200 [malformed token]',
      'revoke.unknown-token.200 [unknown token]',
    ]);
    for (const c of warned) {
      expect(c.properties.level).toBe('rfc-should');
      expect(c.properties.warning).toContain(
        'the refusal RFC 7009 §2.2.1 defines for a server that does not support the revocation of the presented token type',
      );
    }
    for (const c of run.cases.filter((r) => r.properties.requirement === 'revoke.hint.optional')) {
      expect(c.state).toBe('skipped');
      expect(c.properties.skipped).toContain('(revoke a fresh token) got 400');
    }
  });

  test('the same server fails under the atlas profile, whose pages document revocation', async () => {
    const mock = await mockWith({
      tamper: (res, req) =>
        req.path === '/api/oauth/revoke' && res.status === 200
          ? {
              ...res,
              status: 400,
              body: { error: 'unsupported_token_type', error_description: 'x' },
            }
          : res,
    });
    const run = await runSuite('no-access-token-revocation-atlas', mock.url, configFor(mock), [
      '--seed',
      '3',
    ]);
    expect(run.code).toBe(1);
    const status = run.cases.find((c) => c.name === 'revoke.200.status [revoke a fresh token]');
    expect(status?.state).toBe('failed');
    expect(status?.failure).toContain('the refusal RFC 7009 §2.2.1 defines');
  });
});

describe.concurrent('the suite’s own client authentication', { timeout: 240_000 }, () => {
  // The reference mock is Atlas: it compares the raw id and secret, as Authlib, Glewlwyd and
  // @node-oauth/oauth2-server do. Held to rfc6749 the suite sends them form-urlencoded first (RFC
  // 6749 §2.3.1); with + / = in the secret that is refused, so it says so once and goes on raw.
  const accounts = {
    primary: {
      clientId: 'mdb_sa_id_0123456789abcdef01234567',
      clientSecret: 'q+Fz/8w0bXk=a%b c',
    },
  };
  const rfc = ['--profile', 'rfc6749', '--seed', '3'];
  const DIGEST = ['revoke.rfc.www-authenticate.basic', 'token.rfc.www-authenticate.basic'];

  test('refused form-urlencoded, accepted raw: one finding, and the run goes on raw', async () => {
    const mock = await mockWith({ accounts });
    const run = await runSuite('encoding-negotiated', mock.url, configFor(mock, { accounts }), rfc);
    expect(failedRequirementIds(run.cases), run.stdout).toEqual([
      'revoke.rfc.www-authenticate.basic',
      'token.client-auth.form-urlencoded',
      'token.rfc.www-authenticate.basic',
    ]);
    const finding = run.cases.find((c) => c.name.startsWith('token.client-auth.form-urlencoded'));
    expect(finding?.failure).toContain(
      'the form-urlencoded credentials were refused (401) and the same credentials raw accepted (200)',
    );
  });

  // A server that accepts both encodings, whose first token request meets a transient 503 (a
  // cold start behind a proxy): a 5xx refuses nothing, so the encoding is not blamed for it.
  test('a transient 503 on the first token request is not a refusal of the encoding', async () => {
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const { clientId, clientSecret } = accounts.primary;
    const formDecoded = basic(clientId, clientSecret);
    const formEncoded = basic(
      new URLSearchParams({ x: clientId }).toString().slice(2),
      new URLSearchParams({ x: clientSecret }).toString().slice(2),
    );
    let first = true;
    const mock = await mockWith({
      accounts,
      // It form-decodes Basic credentials too: the raw-comparing mock then sees them raw.
      rewrite: (req) =>
        req.headers.authorization === formEncoded
          ? { ...req, headers: { ...req.headers, authorization: formDecoded } }
          : req,
      tamper: (res, req) => {
        if (req.path !== '/api/oauth/token' || !first) return res;
        first = false;
        return { ...res, status: 503, headers: { 'Content-Type': 'application/json' }, body: {} };
      },
    });
    const run = await runSuite('encoding-transient-503', mock.url, configFor(mock, { accounts }), [
      ...rfc,
      '--fuzz',
      '0',
    ]);
    expect(failedRequirementIds(run.cases), run.stdout).toEqual(DIGEST);
    const encoding = run.cases.find((c) => c.name.startsWith('token.client-auth.form-urlencoded'));
    expect(encoding?.state).toBe('skipped');
    expect(encoding?.properties.skipped).toContain('form-urlencoded at the token endpoint: 503');
  });

  test('an encoding the config fixes is obeyed; a refusal says the encoding may be the cause', async () => {
    const mock = await mockWith({ accounts });
    const run = await runSuite(
      'encoding-fixed-form',
      mock.url,
      configFor(mock, { accounts, clientCredentialEncoding: 'form-urlencoded' }),
      rfc,
    );
    expect(run.code).toBe(1);
    const status = run.cases.find((c) => c.name === 'token.200.status [client_credentials]');
    expect(status?.failure).toContain(
      'the primary credentials hold characters that RFC 6749 Appendix B form-encodes, and this run sent them form-urlencoded (profile rfc6749)',
    );
    expect(status?.failure).toContain('"clientCredentialEncoding": "raw"');
  });

  test('raw fixed by the config: RFC 6749 §2.3.1 is not judged, everything else passes', async () => {
    const mock = await mockWith({ accounts });
    const run = await runSuite(
      'encoding-raw',
      mock.url,
      configFor(mock, { accounts, clientCredentialEncoding: 'raw' }),
      rfc,
    );
    expect(failedRequirementIds(run.cases), run.stdout).toEqual(DIGEST);
    const encoding = run.cases.find((c) => c.name.startsWith('token.client-auth.form-urlencoded'));
    expect(encoding?.properties.skipped).toContain('the config fixes the credentials raw');
  });
});

describe.concurrent('a server that wants a scope', { timeout: 240_000 }, () => {
  // RFC 6749 §3.3: a request without scope may be failed "indicating an invalid scope". No finding
  // of the server's: what a scope-less request would judge is not judged, and the reason names
  // the config key; with the scope named, everything is judged.
  const wantsScope = (): MockOptions => ({
    tamper: (res, req) => {
      if (req.path !== '/api/oauth/token') return res;
      if (new URLSearchParams(req.body).has('scope')) return res;
      return {
        ...res,
        status: 400,
        body: { error: 'invalid_scope', error_description: 'a scope is required' },
      };
    },
  });

  test('without a scope: not judged, and told how to send one', async () => {
    const mock = await mockWith(wantsScope());
    const run = await runSuite('wants-scope', mock.url, configFor(mock), [
      '--profile',
      'rfc6749',
      '--seed',
      '3',
    ]);
    const status = run.cases.find((c) => c.name === 'token.200.status [client_credentials]');
    expect(status?.state).toBe('skipped');
    expect(status?.properties.skipped).toContain('"tokenRequestParameters": {"scope"');
    expect(failedRequirementIds(run.cases)).not.toContain('token.200.status');
  });

  test('with tokenRequestParameters naming one: judged, and passes', async () => {
    const mock = await mockWith(wantsScope());
    const run = await runSuite(
      'wants-scope-given',
      mock.url,
      configFor(mock, { tokenRequestParameters: { scope: 'read' } }),
      ['--seed', '3'],
    );
    expect(failedRequirementIds(run.cases), run.stdout).toEqual([]);
    expect(run.code).toBe(0);
  });
});

// Found by a break-it session: tokens earlier runs left active filled the primary account (the
// live service holds 100 per account for an hour), and the next run's cases were skipped with
// only "status 403". The reason now says what the target said and what it likely means.
describe('an account already at its active-token limit', { timeout: 240_000 }, () => {
  test('the cases that need a new token are not judged, saying 403 access_denied and the limit', async () => {
    const mock = await mockWith({ maxActiveTokens: 3 });
    const { clientId, clientSecret } = mock.accounts.primary;
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${mock.url}/api/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(200);
      await res.text();
    }
    const run = await runSuite('token-limit-full', mock.url, configFor(mock), ['--seed', '3']);
    const reasons = run.cases
      .filter((c) => c.state === 'skipped')
      .map((c) => c.properties.skipped ?? '');
    const full = reasons.filter((r) => r.includes('could not obtain a primary token'));
    expect(full.length, run.stdout).toBeGreaterThan(0);
    for (const reason of full)
      expect(reason).toContain(
        '403 access_denied "Access Token limit reached for the service account.": if that is the active-token limit, tokens issued earlier to this account (by earlier runs or other clients) count until they expire or are revoked',
      );
    expect(run.stdout).not.toContain(clientSecret);
  });
});
