import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockHandle, startMock } from '../../src/mock/index.ts';
import { basicCredentials } from '../../src/shared/redact.ts';
import {
  b64urlJson,
  basic,
  expectBadRequest,
  expectCommonHeaders,
  FORM,
  HEADER_SETS,
  type RawResponse,
  SERVICE_VERSION,
  send,
  sorted,
  tokenRequest,
} from './helpers.ts';

let mock: MockHandle;

beforeAll(async () => {
  mock = await startMock({ rateLimit: { requests: 1000, windowSeconds: 60 } });
});

afterAll(async () => {
  await mock.close();
});

const TOKEN_HEADERS = [...HEADER_SETS.ok, 'cache-control', 'pragma'];

function expectOkSet(res: RawResponse, extra: string[] = []): void {
  expect(sorted(res.names)).toEqual(sorted([...HEADER_SETS.ok, ...extra]));
  expect(res.headers.vary).toBe('Accept-Encoding');
  expect(res.headers['strict-transport-security']).toBe('max-age=300');
  expect(res.headers['x-mongodb-service-version']).toMatch(SERVICE_VERSION);
  expectCommonHeaders(res);
}

function expectInvalidClient(res: RawResponse): void {
  expect(res.status).toBe(401);
  expect(sorted(res.names)).toEqual(sorted(HEADER_SETS.unauthorized));
  expect(res.headers['content-type']).toBe('application/json;charset=ISO-8859-1');
  expect(res.headers['www-authenticate']).toMatch(
    /^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9+/]+={0,2}", algorithm=MD5, op="auth", stale=false$/,
  );
  expectCommonHeaders(res);
  expect(JSON.parse(res.text)).toEqual({
    error: 'invalid_client',
    error_description: 'Invalid credentials provided.',
  });
}

describe('POST /api/oauth/token: success', () => {
  it('answers 200 with the documented fields and header set, Cache-Control and Pragma', async () => {
    const res = await tokenRequest(mock.url, mock.accounts.primary);
    expect(res.status).toBe(200);
    expectOkSet(res, ['cache-control', 'pragma']);
    expect(sorted(res.names)).toEqual(sorted(TOKEN_HEADERS));
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    expect(res.headers.connection).toBe('keep-alive');
    const body = JSON.parse(res.text);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body.expires_in).toBe(3600);
    expect(body.token_type).toBe('Bearer');
    expect(res.text).not.toContain('refresh_token');
  });

  it('issues an ES512 JWT that verifies with the public key, exp - iat = lifetime', async () => {
    const res = await tokenRequest(mock.url, mock.accounts.secondary);
    const token: string = JSON.parse(res.text).access_token;
    const [header = '', payload = '', signature = ''] = token.split('.');
    expect(token.split('.')).toHaveLength(3);
    expect(b64urlJson(header)).toEqual({ alg: 'ES512', typ: 'JWT', kid: mock.publicJwk?.kid });
    const claims = b64urlJson(payload);
    expect(claims).toMatchObject({
      iss: mock.url,
      aud: 'api://admin',
      sub: mock.accounts.secondary.clientId,
    });
    expect(typeof claims.jti).toBe('string');
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(Math.abs(Number(claims.iat) - Date.now() / 1000)).toBeLessThan(5);

    const key = createPublicKey({ key: mock.publicJwk as JsonWebKey, format: 'jwk' });
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('secp521r1');
    const signed = Buffer.from(`${header}.${payload}`);
    const sig = Buffer.from(signature, 'base64url');
    expect(sig).toHaveLength(132);
    expect(verify('sha512', signed, { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    sig[0] = (sig[0] ?? 0) ^ 1;
    expect(verify('sha512', signed, { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(false);
  });

  it('uses the configured token lifetime', async () => {
    const short = await startMock({ tokenLifetimeSeconds: 120 });
    try {
      const body = JSON.parse((await tokenRequest(short.url, short.accounts.primary)).text);
      expect(body.expires_in).toBe(120);
      const claims = b64urlJson(body.access_token.split('.')[1]);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(120);
    } finally {
      await short.close();
    }
  });

  // Issue 17: a request without Content-Length or Transfer-Encoding is taken as bodiless at once;
  // a chunked body (no Content-Length) must still be read.
  it('reads a chunked body; a POST without a body lacks grant_type', async () => {
    const chunked = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${mock.url}/api/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic(mock.accounts.primary), 'content-type': FORM },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write('grant_type=client_');
      setTimeout(() => req.end('credentials'), 20);
    });
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.text)).toMatchObject({ token_type: 'Bearer' });
    const empty = await send(`${mock.url}/api/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(mock.accounts.primary), 'content-type': FORM },
    });
    expectBadRequest(empty, 'invalid_request', 'Missing grant_type.');
  });

  it('accepts a charset parameter on the form content type', async () => {
    const res = await tokenRequest(mock.url, mock.accounts.primary, {
      headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' },
    });
    expect(res.status).toBe(200);
  });

  it('answers 403 access_denied once the account holds maxActiveTokens tokens', async () => {
    const limited = await startMock({ maxActiveTokens: 2 });
    try {
      expect((await tokenRequest(limited.url, limited.accounts.primary)).status).toBe(200);
      expect((await tokenRequest(limited.url, limited.accounts.primary)).status).toBe(200);
      const res = await tokenRequest(limited.url, limited.accounts.primary);
      expect(res.status).toBe(403);
      expectOkSet(res);
      expect(JSON.parse(res.text)).toEqual({
        error: 'access_denied',
        error_description: 'Access Token limit reached for the service account.',
      });
      expect((await tokenRequest(limited.url, limited.accounts.secondary)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('POST /api/oauth/token: the active-token limit (maxActiveTokens, level observed)', () => {
  const limitReached = {
    error: 'access_denied',
    error_description: 'Access Token limit reached for the service account.',
  };

  it('defaults to 100: the 101st token request is refused', async () => {
    const limited = await startMock({
      rateLimit: { requests: 1000, windowSeconds: 60 },
      tokenFormat: 'opaque',
    });
    try {
      for (let i = 0; i < 100; i++)
        expect((await tokenRequest(limited.url, limited.accounts.primary)).status).toBe(200);
      const res = await tokenRequest(limited.url, limited.accounts.primary);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text)).toEqual(limitReached);
    } finally {
      await limited.close();
    }
  });

  it('0 turns it off', async () => {
    const unlimited = await startMock({
      rateLimit: { requests: 1000, windowSeconds: 60 },
      tokenFormat: 'opaque',
      maxActiveTokens: 0,
    });
    try {
      for (let i = 0; i < 120; i++)
        expect((await tokenRequest(unlimited.url, unlimited.accounts.primary)).status).toBe(200);
    } finally {
      await unlimited.close();
    }
  });

  it('is set through the package API (startReferenceMock) as well', async () => {
    const { startReferenceMock } = await import('../../src/api.ts');
    const limited = await startReferenceMock({ maxActiveTokens: 1 });
    try {
      expect((await tokenRequest(limited.url, limited.accounts.primary)).status).toBe(200);
      const res = await tokenRequest(limited.url, limited.accounts.primary);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text)).toEqual(limitReached);
    } finally {
      await limited.stop();
    }
  });

  it('rotateSecret: the old secret gets 401 invalid_client, the new one a token; live tokens stay live', async () => {
    const m = await startMock({ rateLimit: { requests: 1000, windowSeconds: 60 } });
    try {
      const before = await tokenRequest(m.url, m.accounts.primary);
      const old = { ...m.accounts.primary };
      const secret = m.rotateSecret(old.clientId);
      expect(secret).toMatch(/^mdb_sa_sk_[A-Za-z0-9]{40}$/);
      expect(secret).not.toBe(old.clientSecret);
      const refused = await tokenRequest(m.url, old);
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.text).error).toBe('invalid_client');
      expect(
        (await tokenRequest(m.url, { clientId: old.clientId, clientSecret: secret })).status,
      ).toBe(200);
      const probe = await send(`${m.url}/api/atlas/v2/`, {
        headers: { authorization: `Bearer ${JSON.parse(before.text).access_token}` },
      });
      expect(probe.status).toBe(200);
      expect(() => m.rotateSecret('mdb_sa_id_unknown')).toThrow(TypeError);
    } finally {
      await m.close();
    }
  });

  it('refuses a negative or fractional limit', async () => {
    await expect(startMock({ maxActiveTokens: -1 })).rejects.toThrow(/maxActiveTokens/);
    await expect(startMock({ maxActiveTokens: 1.5 })).rejects.toThrow(/maxActiveTokens/);
    await expect(startMock({ maxActiveTokensByRole: { tokenLimit: -1 } })).rejects.toThrow(
      /maxActiveTokensByRole\.tokenLimit must be a non-negative integer/,
    );
    await expect(
      startMock({ maxActiveTokensByRole: { someone: 2 } as Record<string, number> }),
    ).rejects.toThrow(/maxActiveTokensByRole: unknown role "someone"/);
  });

  it('the tokenLimit account holds 3 by default [maxActiveTokensByRole], whatever maxActiveTokens says', async () => {
    const m = await startMock({
      rateLimit: { requests: 1000, windowSeconds: 60 },
      tokenFormat: 'opaque',
      maxActiveTokens: 0,
    });
    try {
      for (let i = 0; i < 3; i++)
        expect((await tokenRequest(m.url, m.accounts.tokenLimit)).status).toBe(200);
      const res = await tokenRequest(m.url, m.accounts.tokenLimit);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text)).toEqual(limitReached);
      // The others have maxActiveTokens (here none).
      for (let i = 0; i < 5; i++)
        expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
    } finally {
      await m.close();
    }
  });

  it("maxActiveTokensByRole sets single accounts' limits, 0 turning one off", async () => {
    const m = await startMock({
      rateLimit: { requests: 1000, windowSeconds: 60 },
      tokenFormat: 'opaque',
      maxActiveTokens: 2,
      maxActiveTokensByRole: { secondary: 1, tokenLimit: 0 },
    });
    try {
      expect((await tokenRequest(m.url, m.accounts.secondary)).status).toBe(200);
      expect((await tokenRequest(m.url, m.accounts.secondary)).status).toBe(403);
      for (let i = 0; i < 2; i++)
        expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
      expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(403);
      for (let i = 0; i < 5; i++)
        expect((await tokenRequest(m.url, m.accounts.tokenLimit)).status).toBe(200);
    } finally {
      await m.close();
    }
  });

  it('expired tokens stop counting (token store, on a fake clock)', async () => {
    const { createTokenStore } = await import('../../src/mock/token-store.ts');
    let now = 1_000_000_000_000;
    const store = createTokenStore({ key: null, issuer: 'x', lifetimeSeconds: 2, now: () => now });
    store.issue('a');
    store.issue('a');
    store.issue('b');
    expect(store.activeCount('a')).toBe(2);
    now += 1_999;
    expect(store.activeCount('a')).toBe(2);
    now += 1;
    expect(store.activeCount('a')).toBe(0);
    expect(store.activeCount('b')).toBe(0);
  });
});

describe('POST /api/oauth/token: errors', () => {
  it('401 invalid_client without an Authorization header', async () => {
    expectInvalidClient(await tokenRequest(mock.url));
  });

  it('401 invalid_client for an unknown client id or a wrong secret', async () => {
    const { clientId, clientSecret } = mock.accounts.primary;
    expectInvalidClient(
      await tokenRequest(mock.url, {
        clientId: 'mdb_sa_id_000000000000000000000000',
        clientSecret,
      }),
    );
    expectInvalidClient(
      await tokenRequest(mock.url, { clientId, clientSecret: `${clientSecret.slice(0, -1)}x` }),
    );
    expectInvalidClient(await tokenRequest(mock.url, { clientId, clientSecret: '' }));
  });

  it('compares the raw client id (a percent-encoded id is unknown)', async () => {
    const { clientId, clientSecret } = mock.accounts.primary;
    const encoded = clientId.replaceAll('_', '%5F');
    expectInvalidClient(await tokenRequest(mock.url, { clientId: encoded, clientSecret }));
  });

  it('400 invalid_request for an Authorization header that is not a decodable Basic credential', async () => {
    const cases = [
      'Bearer abc.def.ghi',
      'Basic !!!not-base64!!!',
      `Basic ${Buffer.from('no-colon-here').toString('base64')}`,
      'Basic',
    ];
    for (const authorization of cases) {
      const res = await tokenRequest(mock.url, undefined, { headers: { authorization } });
      expectBadRequest(res, 'invalid_request', 'The provided credentials are not valid.');
    }
  });

  it('400 invalid_request for a body that is not a form, or lacks grant_type', async () => {
    const json = await tokenRequest(mock.url, mock.accounts.primary, {
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"client_credentials"}',
    });
    expectBadRequest(json, 'invalid_request');
    const missing = await tokenRequest(mock.url, mock.accounts.primary, { body: 'scope=x' });
    expectBadRequest(missing, 'invalid_request', 'Missing grant_type.');
    const empty = await tokenRequest(mock.url, mock.accounts.primary, { body: '' });
    expectBadRequest(empty, 'invalid_request', 'Missing grant_type.');
    const repeated = await tokenRequest(mock.url, mock.accounts.primary, {
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    expectBadRequest(repeated, 'invalid_request');
  });

  it('400 invalid_request for a body over 64 KiB', async () => {
    const res = await tokenRequest(mock.url, mock.accounts.primary, {
      body: `grant_type=client_credentials&pad=${'x'.repeat(70 * 1024)}`,
    });
    expectBadRequest(res, 'invalid_request');
  });

  it('400 unsupported_grant_type for another grant type', async () => {
    const res = await tokenRequest(mock.url, mock.accounts.primary, {
      body: 'grant_type=password&username=a&password=b',
    });
    expectBadRequest(res, 'unsupported_grant_type', 'Invalid grant type.');
  });

  it('400 invalid_grant for the invalidGrant account', async () => {
    expectBadRequest(
      await tokenRequest(mock.url, mock.accounts.invalidGrant),
      'invalid_grant',
      'Invalid grant.',
    );
  });

  it('403 access_denied for the accessDenied account', async () => {
    const res = await tokenRequest(mock.url, mock.accounts.accessDenied);
    expect(res.status).toBe(403);
    expectOkSet(res);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.text)).toEqual({
      error: 'access_denied',
      error_description: 'IP access list validation failed for the service account.',
    });
  });

  it('a wrong secret of the accessDenied account is still 401', async () => {
    const { clientId } = mock.accounts.accessDenied;
    expectInvalidClient(await tokenRequest(mock.url, { clientId, clientSecret: 'wrong-secret' }));
  });

  it('405 with Allow: POST for other methods', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await send(`${mock.url}/api/oauth/token`, {
        method,
        headers: { authorization: basic(mock.accounts.primary) },
      });
      expect(res.status).toBe(405);
      expectOkSet(res, ['allow']);
      expect(res.headers.allow).toBe('POST');
      expect(JSON.parse(res.text).error).toBe('invalid_request');
    }
  });

  it('404 in the Admin API error shape for other paths (exact path: no trailing slash)', async () => {
    for (const path of ['/api/oauth/token/', '/nope', '/api/oauth/revoke/']) {
      const res = await send(`${mock.url}${path}`, { method: 'POST' });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.text)).toMatchObject({
        error: 404,
        errorCode: 'RESOURCE_NOT_FOUND',
        reason: 'Not Found',
      });
    }
  });
});

describe('query flags', () => {
  it('pretty=true indents the success body by 2 spaces; otherwise compact', async () => {
    const pretty = await tokenRequest(mock.url, mock.accounts.primary, { query: '?pretty=TRUE' });
    expect(pretty.status).toBe(200);
    expect(pretty.text).toBe(JSON.stringify(JSON.parse(pretty.text), null, 2));
    expect(pretty.text).toContain('\n  "access_token": ');
    for (const query of ['', '?pretty=false', '?pretty=yes', '?pretty=1']) {
      const res = await tokenRequest(mock.url, mock.accounts.primary, { query });
      expect(res.text).toBe(JSON.stringify(JSON.parse(res.text)));
    }
  });

  it('pretty=true on an error body', async () => {
    const res = await tokenRequest(mock.url, undefined, { query: '?pretty=true' });
    expect(res.status).toBe(401);
    expect(res.text).toBe(
      '{\n  "error": "invalid_client",\n  "error_description": "Invalid credentials provided."\n}',
    );
  });

  it('envelope=true wraps the success body as {status, content}; the HTTP status stays', async () => {
    const res = await tokenRequest(mock.url, mock.accounts.primary, { query: '?envelope=true' });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(Object.keys(body).sort()).toEqual(['content', 'status']);
    expect(body.status).toBe(200);
    expect(body.content.token_type).toBe('Bearer');
    expect(body.content.expires_in).toBe(3600);
  });

  it('envelope=true wraps error bodies; combined with pretty=true', async () => {
    const res = await tokenRequest(mock.url, mock.accounts.accessDenied, {
      query: '?envelope=true&pretty=true&backupJobsEnabledOnly=false',
    });
    expect(res.status).toBe(403);
    const body = JSON.parse(res.text);
    expect(body).toEqual({
      status: 403,
      content: {
        error: 'access_denied',
        error_description: 'IP access list validation failed for the service account.',
      },
    });
    expect(res.text).toBe(JSON.stringify(body, null, 2));
  });

  it('backupJobsEnabledOnly is accepted and ignored', async () => {
    for (const value of ['true', 'false', 'bogus']) {
      const res = await tokenRequest(mock.url, mock.accounts.primary, {
        query: `?backupJobsEnabledOnly=${value}`,
      });
      expect(res.status).toBe(200);
    }
  });
});

describe('request reading', () => {
  it('takes credentials from the Basic value as sent (scheme case-insensitive)', async () => {
    const { clientId, clientSecret } = mock.accounts.primary;
    const res = await send(`${mock.url}/api/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `basic ${basicCredentials(clientId, clientSecret)}`,
        'content-type': FORM,
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
  });
});
