import { describe, expect, it } from 'vitest';
import { generateAccounts } from '../../src/mock/accounts.ts';
import {
  createRateLimiter,
  MAX_RATE_LIMIT_KEYS,
  rateLimitDescription,
} from '../../src/mock/rate-limit.ts';
import { HEADER_SETS, SERVICE_VERSION, send, sorted, tokenRequest, useMock } from './helpers.ts';

const start = useMock();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate limit of POST /api/oauth/token', () => {
  it('answers 429 past the limit, with Retry-After, and works again after the window', async () => {
    const m = await start({ rateLimit: { requests: 3, windowSeconds: 2 } });
    for (let i = 0; i < 3; i++) {
      expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
    }
    const limited = await tokenRequest(m.url, m.accounts.primary);
    expect(limited.status).toBe(429);
    expect(sorted(limited.names)).toEqual(sorted([...HEADER_SETS.ok, 'retry-after']));
    expect(limited.names[0]).toBe('retry-after');
    expect(limited.headers.vary).toBe('Accept-Encoding');
    expect(limited.headers['content-type']).toBe('application/json');
    expect(limited.headers['strict-transport-security']).toBe('max-age=300');
    expect(limited.headers['x-mongodb-service-version']).toMatch(SERVICE_VERSION);
    expect(JSON.parse(limited.text)).toEqual({
      error: 'rate_limited',
      error_description: 'Resource /api/oauth/token is limited to 3 requests every 2 seconds.',
    });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);

    // Another service account from the same address has its own window.
    expect((await tokenRequest(m.url, m.accounts.secondary)).status).toBe(200);

    await sleep(retryAfter * 1000 + 100);
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
  });

  it('counts every request, whatever its outcome', async () => {
    const m = await start({ rateLimit: { requests: 2, windowSeconds: 60 } });
    const { clientId } = m.accounts.primary;
    expect((await tokenRequest(m.url, { clientId, clientSecret: 'wrong-secret' })).status).toBe(
      401,
    );
    expect((await tokenRequest(m.url, m.accounts.primary, { body: 'x=y' })).status).toBe(400);
    const limited = await tokenRequest(m.url, m.accounts.primary);
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text).error_description).toBe(
      'Resource /api/oauth/token is limited to 2 requests every 1 minutes.',
    );
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(55);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('requests without a decodable Basic header share one window per address', async () => {
    const m = await start({ rateLimit: { requests: 2, windowSeconds: 60 } });
    expect((await tokenRequest(m.url)).status).toBe(401);
    expect(
      (await tokenRequest(m.url, undefined, { headers: { authorization: 'Bearer x' } })).status,
    ).toBe(400);
    expect((await tokenRequest(m.url)).status).toBe(429);
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
  });

  it('does not limit the resource probe or other paths', async () => {
    const m = await start({ rateLimit: { requests: 1, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++) {
      expect((await send(`${m.url}/api/atlas/v2/`)).status).toBe(401);
      expect((await send(`${m.url}/elsewhere`)).status).toBe(404);
    }
  });

  it('describes windows in minutes when they are whole minutes', () => {
    expect(rateLimitDescription('/api/oauth/token', { requests: 10, windowSeconds: 60 })).toBe(
      'Resource /api/oauth/token is limited to 10 requests every 1 minutes.',
    );
    expect(rateLimitDescription('/api/oauth/token', { requests: 5, windowSeconds: 120 })).toBe(
      'Resource /api/oauth/token is limited to 5 requests every 2 minutes.',
    );
    expect(rateLimitDescription('/api/oauth/token', { requests: 5, windowSeconds: 90 })).toBe(
      'Resource /api/oauth/token is limited to 5 requests every 90 seconds.',
    );
  });
});

// Issue 15 item 14: the limiter counts before authentication, so its keys come from strangers.
describe('rate limiter state under strangers', () => {
  const accounts = generateAccounts(1);
  const limit = { requests: 3, windowSeconds: 60 };
  const clock = () => {
    let t = 0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };
  const hits = (n: number, hit: () => { limited: boolean }) =>
    Array.from({ length: n }, () => (hit().limited ? 429 : 'ok'));

  it('counts its window and Retry-After in seconds of secondMs (the embedded clock)', () => {
    const c = clock();
    const limiter = createRateLimiter({ requests: 2, windowSeconds: 2 }, accounts, {
      now: c.now,
      secondMs: 250,
    });
    const primary = accounts.primary.clientId;
    limiter.hit('127.0.0.1', primary);
    limiter.hit('127.0.0.1', primary);
    c.advance(100);
    // 400 ms of the 500 ms window are left: 1.6 of its seconds, said as 2 whole ones.
    expect(limiter.hit('127.0.0.1', primary)).toEqual({ limited: true, retryAfterSeconds: 2 });
    c.advance(400);
    expect(limiter.hit('127.0.0.1', primary).limited).toBe(false);
  });

  it('keys an unknown client id by a fixed-size digest, whatever its length', () => {
    const limiter = createRateLimiter(limit, accounts);
    for (let i = 0; i < 50; i++) limiter.hit('127.0.0.1', `stranger-${i}-${'x'.repeat(11_000)}`);
    const { others } = limiter.stats();
    expect(others.keys).toBe(50);
    expect(others.keyCharacters / others.keys).toBeLessThanOrEqual(64);
  });

  it('still counts each unknown client id in its own window', () => {
    const limiter = createRateLimiter(limit, accounts);
    const long = `a-${'y'.repeat(11_000)}`;
    expect(hits(4, () => limiter.hit('127.0.0.1', long))).toEqual(['ok', 'ok', 'ok', 429]);
    // An id that differs in its last character is another caller.
    expect(hits(1, () => limiter.hit('127.0.0.1', `${long.slice(0, -1)}z`))).toEqual(['ok']);
    // No Basic header and an empty id share one window per address, as before.
    expect(hits(3, () => limiter.hit('127.0.0.2', undefined))).toEqual(['ok', 'ok', 'ok']);
    expect(hits(1, () => limiter.hit('127.0.0.2', ''))).toEqual([429]);
  });

  it(`tracks at most ${MAX_RATE_LIMIT_KEYS} unknown callers by default`, () => {
    const limiter = createRateLimiter(limit, accounts);
    for (let i = 0; i < MAX_RATE_LIMIT_KEYS + 500; i++) limiter.hit('127.0.0.1', `s${i}`);
    expect(limiter.stats().others.keys).toBe(MAX_RATE_LIMIT_KEYS);
  });

  it('at the cap, new unknown callers share one overflow window; tracked ones keep theirs', () => {
    const c = clock();
    const limiter = createRateLimiter(limit, accounts, { maxKeys: 5, now: c.now });
    for (let i = 0; i < 5; i++) limiter.hit('127.0.0.1', `tracked-${i}`);
    expect(limiter.stats().others.keys).toBe(5);
    // Three new ids use up the overflow window; the fourth is refused at its first request.
    expect(hits(1, () => limiter.hit('127.0.0.1', 'new-1'))).toEqual(['ok']);
    expect(hits(1, () => limiter.hit('127.0.0.9', 'new-2'))).toEqual(['ok']);
    expect(hits(1, () => limiter.hit('127.0.0.1', 'new-3'))).toEqual(['ok']);
    const refused = limiter.hit('127.0.0.1', 'new-4');
    expect(refused.limited).toBe(true);
    expect(refused.retryAfterSeconds).toBe(60);
    expect(limiter.stats().others.keys).toBe(5);
    // A tracked id still has its own window: two more requests, then 429.
    expect(hits(3, () => limiter.hit('127.0.0.1', 'tracked-0'))).toEqual(['ok', 'ok', 429]);
  });

  it('drops windows as they expire, so new callers get their own again', () => {
    const c = clock();
    const limiter = createRateLimiter(limit, accounts, { maxKeys: 5, now: c.now });
    for (let i = 0; i < 5; i++) limiter.hit('127.0.0.1', `early-${i}`);
    c.advance(30_000);
    for (let i = 0; i < 10; i++) limiter.hit('127.0.0.1', `overflow-${i}`);
    c.advance(30_000);
    // The first five expired; the next caller gets a window of its own.
    expect(hits(4, () => limiter.hit('127.0.0.1', 'later'))).toEqual(['ok', 'ok', 'ok', 429]);
    expect(limiter.stats().others.keys).toBe(1);
  });

  it('keeps the configured accounts exact, whatever strangers send', () => {
    const c = clock();
    const limiter = createRateLimiter(limit, accounts, { maxKeys: 5, now: c.now });
    for (let i = 0; i < 1000; i++) limiter.hit('127.0.0.1', `stranger-${i}-${'x'.repeat(100)}`);
    for (let i = 0; i < 1000; i++) limiter.hit('127.0.0.1', undefined);
    const { clientId } = accounts.primary;
    expect(hits(4, () => limiter.hit('127.0.0.1', clientId))).toEqual(['ok', 'ok', 'ok', 429]);
    expect(hits(4, () => limiter.hit('127.0.0.1', accounts.secondary.clientId))).toEqual([
      'ok',
      'ok',
      'ok',
      429,
    ]);
    // Per address, as the live service counts.
    expect(hits(1, () => limiter.hit('127.0.0.2', clientId))).toEqual(['ok']);
    expect(limiter.stats().accounts.keys).toBe(3);
    c.advance(60_000);
    expect(hits(1, () => limiter.hit('127.0.0.1', clientId))).toEqual(['ok']);
  });

  it('caps the accounts pool too (callers from many addresses), with the same overflow rule', () => {
    const c = clock();
    const limiter = createRateLimiter(limit, accounts, { maxKeys: 4, now: c.now });
    const { clientId } = accounts.primary;
    for (let i = 0; i < 4; i++) limiter.hit(`10.0.0.${i}`, clientId);
    expect(hits(4, () => limiter.hit('10.0.1.1', clientId))).toEqual(['ok', 'ok', 'ok', 429]);
    expect(limiter.stats().accounts.keys).toBe(4);
    // The tracked addresses are exact still.
    expect(hits(3, () => limiter.hit('10.0.0.0', clientId))).toEqual(['ok', 'ok', 429]);
  });
});
