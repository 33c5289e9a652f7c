import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockHandle, startMock } from '../../src/mock/index.ts';
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
