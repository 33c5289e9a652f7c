import { describe, expect, it } from 'vitest';
import { rateLimitDescription } from '../../src/mock/rate-limit.ts';
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
