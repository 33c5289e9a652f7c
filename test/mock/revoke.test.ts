import { describe, expect, it } from 'vitest';
import { type MockHandle, type MockOptions, REVOKE_PATH, startMock } from '../../src/mock/index.ts';
import type { Account } from '../../src/shared/types.ts';
import {
  basic,
  expectBadRequest,
  FORM,
  HEADER_SETS,
  type RawResponse,
  revokeRequest,
  SERVICE_VERSION,
  send,
  sorted,
  tokenRequest,
  useMock,
} from './helpers.ts';

const start = useMock({ rateLimit: { requests: 1000, windowSeconds: 60 } });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function issue(m: MockHandle, account: Account = m.accounts.primary): Promise<string> {
  const res = await tokenRequest(m.url, account);
  expect(res.status).toBe(200);
  return JSON.parse(res.text).access_token;
}

function probe(m: MockHandle, token: string): Promise<RawResponse> {
  return send(`${m.url}/api/atlas/v2/`, { headers: { authorization: `Bearer ${token}` } });
}

async function expectLive(m: MockHandle, token: string): Promise<void> {
  expect((await probe(m, token)).status).toBe(200);
}

async function expectRefused(m: MockHandle, token: string): Promise<void> {
  const res = await probe(m, token);
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
}

function expectRevoked(res: RawResponse): void {
  expect(res.status).toBe(200);
  expect(res.names).toEqual(HEADER_SETS.ok);
  expect(res.headers.vary).toBe('Accept-Encoding');
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.headers['strict-transport-security']).toBe('max-age=300');
  expect(Number.isNaN(Date.parse(res.headers.date ?? ''))).toBe(false);
  expect(res.headers.connection).toBe('keep-alive');
  expect(res.headers['content-length']).toBe('0');
  expect(res.headers['x-mongodb-service-version']).toMatch(SERVICE_VERSION);
  expect(res.text).toBe('');
}

const DIGEST =
  /^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9+/]+={0,2}", algorithm=MD5, op="auth", stale=false$/;

function expectInvalidClient(res: RawResponse): void {
  expect(res.status).toBe(401);
  expect(sorted(res.names)).toEqual(sorted(HEADER_SETS.unauthorized));
  expect(res.headers['content-type']).toBe('application/json;charset=ISO-8859-1');
  expect(res.headers['www-authenticate']).toMatch(DIGEST);
  expect(JSON.parse(res.text)).toEqual({
    error: 'invalid_client',
    error_description: 'Invalid credentials provided.',
  });
}

describe('POST /api/oauth/revoke: success', () => {
  it('revokeTokens revokes every live token of one client server-side, no other', async () => {
    const m = await start();
    const first = await issue(m);
    const second = await issue(m);
    const other = JSON.parse((await tokenRequest(m.url, m.accounts.secondary)).text).access_token;
    expect(m.revokeTokens(m.accounts.primary.clientId)).toBe(2);
    await expectRefused(m, first);
    await expectRefused(m, second);
    await expectLive(m, other);
    expect(m.revokeTokens(m.accounts.primary.clientId)).toBe(0);
  });

  it('is exported as REVOKE_PATH', () => {
    expect(REVOKE_PATH).toBe('/api/oauth/revoke');
  });

  it('answers 200 without a body, with the documented 200 header set and Content-Length 0', async () => {
    const m = await start();
    const token = await issue(m);
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, token));
  });

  it('revokes the token only: the probe refuses it, another token of the account still works', async () => {
    const m = await start();
    const revoked = await issue(m);
    const kept = await issue(m);
    await expectLive(m, revoked);
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, revoked));
    await expectRefused(m, revoked);
    await expectLive(m, kept);
  });

  it('frees a place under maxActiveTokens, so a new token can be issued', async () => {
    const m = await start({ maxActiveTokens: 1 });
    const first = await issue(m);
    const refused = await tokenRequest(m.url, m.accounts.primary);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).error_description).toBe(
      'Access Token limit reached for the service account.',
    );
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, first));
    const second = await issue(m);
    await expectLive(m, second);
    await expectRefused(m, first);
  });

  it('answers 200 again for a token already revoked', async () => {
    const m = await start();
    const token = await issue(m);
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, token));
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, token));
    await expectRefused(m, token);
  });

  it('answers 200 for unknown and malformed tokens (RFC 7009 §2.2)', async () => {
    const m = await start();
    const other = await startMock();
    try {
      const otherMockToken = JSON.parse(
        (await tokenRequest(other.url, other.accounts.primary)).text,
      ).access_token as string;
      const token = await issue(m);
      for (const value of [
        'not-a-token',
        'a.b.c',
        'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
        `${token}x`,
        otherMockToken,
      ]) {
        expectRevoked(await revokeRequest(m.url, m.accounts.primary, value));
      }
      await expectLive(m, token);
    } finally {
      await other.close();
    }
  });

  it('answers 200 for an expired token of the client, 400 for an expired one of another', async () => {
    const m = await start({ tokenLifetimeSeconds: 1 });
    const own = await issue(m);
    const foreign = await issue(m, m.accounts.secondary);
    await sleep(2100);
    await expectRefused(m, own);
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, own));
    expectBadRequest(
      await revokeRequest(m.url, m.accounts.primary, foreign),
      'invalid_request',
      'The token was not issued to this client.',
    );
  });

  it('revokes with no token_type_hint and whatever the hint (ignored, RFC 7009 §2.1)', async () => {
    const m = await start();
    for (const hint of [undefined, 'access_token', 'refresh_token', 'unknown_hint', '']) {
      const token = await issue(m);
      expectRevoked(await revokeRequest(m.url, m.accounts.primary, token, { hint }));
      await expectRefused(m, token);
    }
  });

  it('accepts a charset parameter on the Content-Type', async () => {
    const m = await start();
    const token = await issue(m);
    const res = await revokeRequest(m.url, m.accounts.primary, token, {
      headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' },
    });
    expectRevoked(res);
    await expectRefused(m, token);
  });

  it('lets the invalidGrant account revoke like an ordinary one', async () => {
    const m = await start();
    expectRevoked(await revokeRequest(m.url, m.accounts.invalidGrant, 'unknown-token-value'));
  });
});

describe('POST /api/oauth/revoke: refusals', () => {
  it('missing or empty token -> 400 invalid_request with the 400 header set', async () => {
    const m = await start();
    for (const body of ['', 'token=', 'token_type_hint=access_token', 'tokens=x']) {
      expectBadRequest(
        await revokeRequest(m.url, m.accounts.primary, '', { body }),
        'invalid_request',
        'Missing token.',
      );
    }
  });

  it('repeated token -> 400 invalid_request, nothing revoked', async () => {
    const m = await start();
    const token = await issue(m);
    const body = `token=${token}&token=${token}`;
    expectBadRequest(
      await revokeRequest(m.url, m.accounts.primary, '', { body }),
      'invalid_request',
      'The token parameter must not be repeated.',
    );
    await expectLive(m, token);
  });

  it('no Authorization -> 401 invalid_client with the Digest challenge; the token still works', async () => {
    const m = await start();
    const token = await issue(m);
    expectInvalidClient(await revokeRequest(m.url, undefined, token));
    await expectLive(m, token);
  });

  it('wrong secret or unknown client -> 401 invalid_client; the token still works', async () => {
    const m = await start();
    const token = await issue(m);
    const { clientId } = m.accounts.primary;
    expectInvalidClient(
      await revokeRequest(m.url, { clientId, clientSecret: 'wrong-secret' }, token),
    );
    expectInvalidClient(
      await revokeRequest(
        m.url,
        { clientId: 'mdb_sa_id_000000000000000000000000', clientSecret: 'x' },
        token,
      ),
    );
    await expectLive(m, token);
  });

  it('undecodable Authorization -> 400 invalid_request; the token still works', async () => {
    const m = await start();
    const token = await issue(m);
    for (const authorization of ['Bearer abc', 'Basic !!!', `Basic ${btoa('no-colon')}`]) {
      expectBadRequest(
        await revokeRequest(m.url, undefined, token, { headers: { authorization } }),
        'invalid_request',
        'The provided credentials are not valid.',
      );
    }
    await expectLive(m, token);
  });

  it("another client's token -> 400 invalid_request, not revoked (RFC 7009 §2.1)", async () => {
    const m = await start();
    const token = await issue(m, m.accounts.secondary);
    for (const account of [m.accounts.primary, m.accounts.invalidGrant]) {
      expectBadRequest(
        await revokeRequest(m.url, account, token),
        'invalid_request',
        'The token was not issued to this client.',
      );
    }
    await expectLive(m, token);
    expectRevoked(await revokeRequest(m.url, m.accounts.secondary, token));
    await expectRefused(m, token);
  });

  it('the accessDenied account -> 403 access_denied', async () => {
    const m = await start();
    const res = await revokeRequest(m.url, m.accounts.accessDenied, 'some-token-value');
    expect(res.status).toBe(403);
    expect(sorted(res.names)).toEqual(sorted(HEADER_SETS.ok));
    expect(JSON.parse(res.text)).toEqual({
      error: 'access_denied',
      error_description: 'IP access list validation failed for the service account.',
    });
  });

  it('another method -> 405 with Allow: POST', async () => {
    const m = await start();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      // No body: Node's client would send a GET or DELETE body without framing.
      const res = await send(`${m.url}${REVOKE_PATH}`, {
        method,
        headers: { authorization: basic(m.accounts.primary) },
      });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(JSON.parse(res.text)).toEqual({
        error: 'invalid_request',
        error_description: `Method ${method} is not allowed on /api/oauth/revoke; use POST.`,
      });
    }
  });

  it('a Content-Type other than form -> 400; a body over the cap -> 400; nothing revoked', async () => {
    const m = await start();
    const token = await issue(m);
    for (const contentType of ['application/json', 'text/plain']) {
      expectBadRequest(
        await revokeRequest(m.url, m.accounts.primary, token, {
          headers: { 'content-type': contentType },
        }),
        'invalid_request',
        'Content-Type must be application/x-www-form-urlencoded.',
      );
    }
    const noType = await send(`${m.url}/api/oauth/revoke`, {
      method: 'POST',
      headers: {
        authorization: basic(m.accounts.primary),
      },
      body: `token=${token}`,
    });
    expectBadRequest(
      noType,
      'invalid_request',
      'Content-Type must be application/x-www-form-urlencoded.',
    );
    expectBadRequest(
      await revokeRequest(m.url, m.accounts.primary, token, {
        body: `token=${token}&pad=${'x'.repeat(70 * 1024)}`,
      }),
      'invalid_request',
      'The request body is too large.',
    );
    await expectLive(m, token);
  });
});

describe('POST /api/oauth/revoke: rate limit', () => {
  it('has its own window: the 4th revoke of 3 per 2 s -> 429 while the token endpoint issues', async () => {
    const m = await start({ revokeRateLimit: { requests: 3, windowSeconds: 2 } });
    const tokens = [await issue(m), await issue(m), await issue(m), await issue(m)];
    for (const token of tokens.slice(0, 3)) {
      expectRevoked(await revokeRequest(m.url, m.accounts.primary, token));
    }
    const limited = await revokeRequest(m.url, m.accounts.primary, tokens[3] ?? '');
    expect(limited.status).toBe(429);
    expect(limited.names[0]).toBe('retry-after');
    expect(sorted(limited.names)).toEqual(sorted([...HEADER_SETS.ok, 'retry-after']));
    expect(limited.headers['strict-transport-security']).toBe('max-age=300');
    expect(limited.headers['x-mongodb-service-version']).toMatch(SERVICE_VERSION);
    expect(JSON.parse(limited.text)).toEqual({
      error: 'rate_limited',
      error_description: 'Resource /api/oauth/revoke is limited to 3 requests every 2 seconds.',
    });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    await expectLive(m, tokens[3] ?? '');

    // The token endpoint's window is untouched; another account has its own revoke window.
    await issue(m);
    const other = await issue(m, m.accounts.secondary);
    expectRevoked(await revokeRequest(m.url, m.accounts.secondary, other));

    await sleep(retryAfter * 1000 + 100);
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, tokens[3] ?? ''));
    await expectRefused(m, tokens[3] ?? '');
  });

  it('defaults to the value of rateLimit, with a separate counter; every request counts', async () => {
    const m = await start({ rateLimit: { requests: 2, windowSeconds: 60 } });
    const token = await issue(m);
    await issue(m);
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(429);
    // The token endpoint's window is used up; the revoke endpoint's is not.
    const { clientId } = m.accounts.primary;
    expectInvalidClient(await revokeRequest(m.url, { clientId, clientSecret: 'wrong' }, token));
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, token));
    const limited = await revokeRequest(m.url, m.accounts.primary, token);
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text).error_description).toBe(
      'Resource /api/oauth/revoke is limited to 2 requests every 1 minutes.',
    );
  });

  it('rejects an invalid revokeRateLimit', async () => {
    const options: MockOptions = { revokeRateLimit: { requests: 0, windowSeconds: 60 } };
    await expect(startMock(options)).rejects.toThrow(TypeError);
  });
});

describe('POST /api/oauth/revoke: fault hook, flags, tamper, journal', () => {
  it('answers injected 500 and 503 faults first, in the OAuth error shape; nothing revoked', async () => {
    const m = await start();
    const token = await issue(m);
    m.injectFault({ path: REVOKE_PATH, status: 500 });
    const failed = await revokeRequest(m.url, m.accounts.primary, token);
    expect(failed.status).toBe(500);
    expect(sorted(failed.names)).toEqual(sorted(HEADER_SETS.ok));
    expect(JSON.parse(failed.text)).toEqual({
      error: 'server_error',
      error_description: 'Unexpected error.',
    });
    await expectLive(m, token);

    const added = await send(`${m.url}/__conformance/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: REVOKE_PATH, status: 503, retryAfterSeconds: 4 }),
    });
    expect(added.status).toBe(204);
    // Before authentication, too.
    const unavailable = await revokeRequest(m.url, undefined, token);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('4');
    expect(sorted(unavailable.names)).toEqual(sorted([...HEADER_SETS.ok, 'retry-after']));
    expect(JSON.parse(unavailable.text).error).toBe('temporarily_unavailable');
    await expectLive(m, token);

    expectRevoked(await revokeRequest(m.url, m.accounts.primary, token));
    await expectRefused(m, token);
  });

  it('a faulted revocation does not count towards the revoke rate limit', async () => {
    const m = await start({ revokeRateLimit: { requests: 1, windowSeconds: 60 } });
    const token = await issue(m);
    m.injectFault({ path: REVOKE_PATH, status: 503, count: 2 });
    for (let i = 0; i < 2; i++) {
      expect((await revokeRequest(m.url, m.accounts.primary, token)).status).toBe(503);
    }
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, token));
    expect((await revokeRequest(m.url, m.accounts.primary, token)).status).toBe(429);
  });

  it('a fault on the token path does not touch the revoke path', async () => {
    const m = await start();
    const token = await issue(m);
    m.injectFault({ path: '/api/oauth/token', status: 503 });
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, token));
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(503);
  });

  it('envelope on a 401 wraps the error; on the 200 gives {"status":200,"content":null}', async () => {
    const m = await start();
    const token = await issue(m);
    const unauthorized = await revokeRequest(m.url, undefined, token, { query: '?envelope=true' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['www-authenticate']).toMatch(DIGEST);
    expect(JSON.parse(unauthorized.text)).toEqual({
      status: 401,
      content: { error: 'invalid_client', error_description: 'Invalid credentials provided.' },
    });

    const ok = await revokeRequest(m.url, m.accounts.primary, token, { query: '?envelope=true' });
    expect(ok.status).toBe(200);
    expect(ok.names).toEqual(HEADER_SETS.ok);
    expect(ok.text).toBe('{"status":200,"content":null}');
    expect(Number(ok.headers['content-length'])).toBe(Buffer.byteLength(ok.text));
    await expectRefused(m, token);
  });

  it('pretty changes nothing without a body; errors are pretty-printed', async () => {
    const m = await start();
    const token = await issue(m);
    expectRevoked(await revokeRequest(m.url, m.accounts.primary, token, { query: '?pretty=true' }));
    const both = await revokeRequest(m.url, m.accounts.primary, token, {
      query: '?pretty=true&envelope=true',
    });
    expect(both.text).toBe(JSON.stringify({ status: 200, content: null }, null, 2));
    const missing = await revokeRequest(m.url, m.accounts.primary, '', {
      query: '?pretty=true',
      body: '',
    });
    expect(missing.text).toBe(
      JSON.stringify({ error: 'invalid_request', error_description: 'Missing token.' }, null, 2),
    );
  });

  it('tamper applies to revoke responses', async () => {
    const m = await start({
      tamper: (res, req) => (req.path === REVOKE_PATH ? { ...res, body: { tampered: true } } : res),
    });
    const token = await issue(m);
    const res = await revokeRequest(m.url, m.accounts.primary, token);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ tampered: true });
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    await expectRefused(m, token);
  });

  it('journals revoke requests with the token parameter redacted', async () => {
    const m = await start();
    const issued = await issue(m);
    const unknown = 'opaque-unknown-token-value-0123456789';
    await revokeRequest(m.url, m.accounts.primary, issued, { hint: 'access_token' });
    await revokeRequest(m.url, m.accounts.primary, unknown);
    await send(`${m.url}/api/oauth/revoke?token=${unknown}`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: `token=${encodeURIComponent(unknown)}`,
    });

    const entries = m.journal().filter((entry) => entry.path === REVOKE_PATH);
    expect(entries.map((entry) => entry.status)).toEqual([200, 200, 401]);
    expect(entries[0]).toMatchObject({
      method: 'POST',
      body: 'token=[REDACTED]&token_type_hint=access_token',
    });
    expect(entries[0]?.headers.authorization).toBe('Basic [REDACTED]');
    expect(entries[1]?.body).toBe('token=[REDACTED]');
    expect(entries[2]?.query).toBe('token=[REDACTED]');
    const text = JSON.stringify(m.journal());
    for (const secret of [
      issued,
      issued.split('.')[2] ?? '',
      unknown,
      m.accounts.primary.clientSecret,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
