import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isProbePath,
  type MockHandle,
  PROBE_ALIASES,
  PROBE_PATH,
  startMock,
} from '../../src/mock/index.ts';
import { createTokenStore } from '../../src/mock/token-store.ts';
import { createSigningKey } from '../../src/mock/tokens.ts';
import { HEADER_SETS, type RawResponse, send, sorted, tokenRequest } from './helpers.ts';

let mock: MockHandle;

beforeAll(async () => {
  mock = await startMock({ rateLimit: { requests: 1000, windowSeconds: 60 } });
});

afterAll(async () => {
  await mock.close();
});

async function token(m: MockHandle = mock): Promise<string> {
  return JSON.parse((await tokenRequest(m.url, m.accounts.primary)).text).access_token;
}

function probe(m: MockHandle, authorization?: string, query = ''): Promise<RawResponse> {
  return send(`${m.url}/api/atlas/v2/${query}`, {
    headers: {
      accept: 'application/vnd.atlas.2023-01-01+json',
      ...(authorization === undefined ? {} : { authorization }),
    },
  });
}

function expectUnauthorized(res: RawResponse, challenge: string): void {
  expect(res.status).toBe(401);
  expect(sorted(res.names)).toEqual(sorted(HEADER_SETS.unauthorized));
  expect(res.headers['content-type']).toBe('application/json;charset=ISO-8859-1');
  expect(res.headers['www-authenticate']).toBe(challenge);
  const body = JSON.parse(res.text);
  expect(body).toMatchObject({ error: 401, errorCode: 'NOT_AUTHORIZED', reason: 'Unauthorized' });
  expect(typeof body.detail).toBe('string');
}

describe('GET /api/atlas/v2/', () => {
  it('answers 200 for a live token', async () => {
    const res = await probe(mock, `Bearer ${await token()}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.atlas.2023-01-01+json');
    expect(sorted(res.names)).toEqual(sorted(HEADER_SETS.ok));
    expect(JSON.parse(res.text)).toEqual({
      appName: 'MongoDB Atlas',
      build: 'reference-mock',
      throttling: false,
    });
  });

  it('honours envelope and pretty', async () => {
    const res = await probe(mock, `Bearer ${await token()}`, '?envelope=true&pretty=true');
    const body = JSON.parse(res.text);
    expect(body.status).toBe(200);
    expect(body.content.appName).toBe('MongoDB Atlas');
    expect(res.text).toBe(JSON.stringify(body, null, 2));
  });

  it('answers 401 invalid_token for a bad, foreign or altered token', async () => {
    const challenge = 'Bearer error="invalid_token"';
    expectUnauthorized(await probe(mock, 'Bearer not-a-token'), challenge);
    const foreign = await startMock();
    try {
      expectUnauthorized(await probe(mock, `Bearer ${await token(foreign)}`), challenge);
    } finally {
      await foreign.close();
    }
    const good = await token();
    const [header, payload] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    claims.exp += 3600;
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${good.split('.')[2]}`;
    expectUnauthorized(await probe(mock, `Bearer ${forged}`), challenge);
  });

  it('answers 401 with a bare Bearer challenge when no bearer token is sent (RFC 6750 §3.1)', async () => {
    expectUnauthorized(await probe(mock), 'Bearer');
    expectUnauthorized(await probe(mock, 'Basic dXNlcjpwYXNz'), 'Bearer');
  });

  it('answers 401 once the token has expired', async () => {
    // exp is in whole seconds: a 2 s lifetime is live right away and dead 2.1 s later.
    const short = await startMock({ tokenLifetimeSeconds: 2 });
    try {
      const t = await token(short);
      expect((await probe(short, `Bearer ${t}`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expectUnauthorized(await probe(short, `Bearer ${t}`), 'Bearer error="invalid_token"');
    } finally {
      await short.close();
    }
  });
});

describe('probe aliases (the Admin API paths real clients call)', () => {
  const aliases = Object.entries(PROBE_ALIASES);

  it('lists the paths the MCP Atlas API client lists organizations and projects on', () => {
    expect(Object.keys(PROBE_ALIASES).sort()).toEqual([
      '/api/atlas/v2/groups',
      '/api/atlas/v2/orgs',
    ]);
  });

  it.each(aliases)(
    'GET %s answers 200 with its paginated body for a live token',
    async (path, body) => {
      const res = await send(`${mock.url}${path}`, {
        headers: {
          accept: 'application/vnd.atlas.2025-03-12+json',
          authorization: `Bearer ${await token()}`,
        },
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/vnd.atlas.2023-01-01+json');
      expect(sorted(res.names)).toEqual(sorted(HEADER_SETS.ok));
      expect(JSON.parse(res.text)).toEqual(body);
      expect(JSON.parse(res.text)).toMatchObject({ links: [], totalCount: 1 });
    },
  );

  it.each(aliases)('GET %s answers 401 like the probe without a live token', async (path) => {
    expectUnauthorized(await send(`${mock.url}${path}`), 'Bearer');
    const refused = await send(`${mock.url}${path}`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expectUnauthorized(refused, 'Bearer error="invalid_token"');
  });

  it('refuses other methods on an alias with 405 naming the alias', async () => {
    const res = await send(`${mock.url}/api/atlas/v2/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token()}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(res.text).detail).toBe(
      'Method POST is not allowed on /api/atlas/v2/orgs; use GET.',
    );
  });

  it('answers nothing else: near misses and inherited property names are 404', async () => {
    const live = `Bearer ${await token()}`;
    for (const path of [
      '/api/atlas/v2/orgs/',
      '/api/atlas/v2/Orgs',
      '/api/atlas/v2/orgs/5f0a1b2c3d4e5f6a7b8c9d0e',
      '/api/atlas/v2/clusters',
      '/api/atlas/v2/constructor',
      '/api/atlas/v2/__proto__',
    ]) {
      expect(isProbePath(path), path).toBe(false);
      const res = await send(`${mock.url}${path}`, { headers: { authorization: live } });
      expect(res.status, path).toBe(404);
    }
    expect(isProbePath(PROBE_PATH)).toBe(true);
    expect(isProbePath('constructor')).toBe(false);
    expect(isProbePath('__proto__')).toBe(false);
  });
});

describe('token store', () => {
  it('isLive checks signature, expiry and presence; revoke removes a token', async () => {
    let now = 1_000_000_000_000;
    const key = await createSigningKey();
    const store = createTokenStore({
      key,
      issuer: 'http://mock',
      lifetimeSeconds: 60,
      now: () => now,
    });
    const a = store.issue('client-a');
    const b = store.issue('client-a');
    expect(store.isLive(a.accessToken)).toBe(true);
    expect(store.activeCount('client-a')).toBe(2);
    expect(store.revoke(a.claims.jti)).toBe(true);
    expect(store.revoke(a.claims.jti)).toBe(false);
    expect(store.isLive(a.accessToken)).toBe(false);
    expect(store.isLive(b.accessToken)).toBe(true);
    expect(store.activeCount('client-a')).toBe(1);
    expect(store.isLive(`${b.accessToken}x`)).toBe(false);
    const other = createTokenStore({
      key: await createSigningKey(),
      issuer: 'x',
      lifetimeSeconds: 60,
    });
    expect(other.isLive(b.accessToken)).toBe(false);
    now += 60_000;
    expect(store.isLive(b.accessToken)).toBe(false);
    expect(store.activeCount('client-a')).toBe(0);
  });
});
