// The harness's record of a program's requests keeps facts, never secrets.
import { describe, expect, test } from 'vitest';
import { createObserver, timeline } from '../../src/client-harness/observe.ts';
import type { MockRequestInfo, MockResponse } from '../../src/mock/index.ts';

const GIVEN = { clientId: 'mdb_sa_id_0123', clientSecret: 'mdb_sa_sk_secret-value-0123456789' };
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function request(path: string, more: Partial<MockRequestInfo> = {}): MockRequestInfo {
  return {
    method: 'POST',
    path,
    query: new URLSearchParams(),
    headers: {},
    body: '',
    remoteAddress: '127.0.0.1',
    ...more,
  };
}

function response(
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): MockResponse {
  return { status, headers, body, pretty: false };
}

const TOKEN = 'eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJ4In0.signature-part-0123456789';

describe('createObserver', () => {
  test('names tokens T1.., classifies credentials, and keeps no secret', () => {
    const observer = createObserver(GIVEN, () => 1_000);
    const form = {
      'content-type': 'application/x-www-form-urlencoded',
    };
    observer.onExchange({
      request: request('/api/oauth/token', {
        headers: { ...form, authorization: basic(GIVEN.clientId, GIVEN.clientSecret) },
        body: 'grant_type=client_credentials',
      }),
      response: response(200, { access_token: TOKEN, expires_in: 3600, token_type: 'Bearer' }),
      receivedAt: 1_010,
      sentAt: 1_012,
    });
    observer.onExchange({
      request: request('/api/oauth/token', {
        headers: {
          ...form,
          authorization: basic(
            encodeURIComponent(GIVEN.clientId).replace(/_/g, '%5F'),
            GIVEN.clientSecret,
          ),
        },
        body: 'grant_type=client_credentials',
      }),
      response: response(401, {}, { 'Retry-After': '3' }),
      receivedAt: 1_020,
      sentAt: 1_021,
    });
    observer.onExchange({
      request: request('/api/oauth/token', {
        headers: form,
        body: `grant_type=client_credentials&client_id=${GIVEN.clientId}&client_secret=${GIVEN.clientSecret}`,
      }),
      response: response(401),
      receivedAt: 1_030,
      sentAt: 1_031,
    });
    observer.onExchange({
      request: request('/api/atlas/v2/', {
        method: 'GET',
        headers: { authorization: `Bearer ${TOKEN}` },
        query: new URLSearchParams({ access_token: TOKEN }),
      }),
      response: response(200),
      receivedAt: 1_040,
      sentAt: 1_041,
    });
    observer.onExchange({
      request: request('/api/atlas/v2/', {
        method: 'GET',
        headers: { authorization: 'Bearer made-up' },
      }),
      response: response(401),
      receivedAt: 1_050,
      sentAt: 1_051,
    });
    observer.onExchange({
      request: request('/api/oauth/revoke', {
        headers: { ...form, authorization: basic(GIVEN.clientId, GIVEN.clientSecret) },
        body: `token=${TOKEN}&token_type_hint=access_token`,
      }),
      response: response(200),
      receivedAt: 1_060,
      sentAt: 1_061,
    });

    const [issued, encoded, posted, used, madeUp, revoked] = observer.requests();
    expect(issued).toMatchObject({
      index: 1,
      kind: 'token',
      receivedAt: 10,
      sentAt: 12,
      auth: { scheme: 'basic', clientId: 'raw', clientSecret: 'raw' },
      issued: { ref: 'T1', expiresInSeconds: 3600 },
    });
    expect(encoded?.auth).toMatchObject({
      clientId: 'percent-encoded',
      sentId: 'mdb%5Fsa%5Fid%5F0123',
    });
    expect(encoded?.retryAfterSeconds).toBe(3);
    expect(posted?.auth).toEqual({ scheme: 'none', bodyCredentials: true });
    expect(used).toMatchObject({
      kind: 'resource',
      bearer: 'T1',
      credentialsInUrl: ['access_token', 'an access token'],
    });
    expect(madeUp?.bearer).toBe('unknown');
    expect(revoked?.form?.params).toEqual([
      ['token', 'T1'],
      ['token_type_hint', 'access_token'],
    ]);
    expect(observer.issuedTokens()).toEqual([TOKEN]);

    const record = JSON.stringify(observer.requests()) + timeline(observer.requests()).join('\n');
    expect(record).not.toContain(GIVEN.clientSecret);
    expect(record).not.toContain(TOKEN);
    expect(record).not.toContain(
      Buffer.from(`${GIVEN.clientId}:${GIVEN.clientSecret}`).toString('base64'),
    );
  });

  test('a wrong id is not echoed: it may be the secret in the wrong place', () => {
    const observer = createObserver(GIVEN, () => 0);
    observer.onExchange({
      request: request('/api/oauth/token', {
        headers: { authorization: basic(GIVEN.clientSecret, GIVEN.clientId) },
      }),
      response: response(401),
      receivedAt: 1,
      sentAt: 2,
    });
    expect(observer.requests()[0]?.auth).toMatchObject({
      clientId: 'wrong',
      sentId: '(not the given id)',
    });
  });
});
