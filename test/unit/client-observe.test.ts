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
      answeredAt: 1_012,
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
      answeredAt: 1_021,
    });
    observer.onExchange({
      request: request('/api/oauth/token', {
        headers: form,
        body: `grant_type=client_credentials&client_id=${GIVEN.clientId}&client_secret=${GIVEN.clientSecret}`,
      }),
      response: response(401),
      receivedAt: 1_030,
      answeredAt: 1_031,
    });
    observer.onExchange({
      request: request('/api/atlas/v2/', {
        method: 'GET',
        headers: { authorization: `Bearer ${TOKEN}` },
        query: new URLSearchParams({ access_token: TOKEN }),
      }),
      response: response(200),
      receivedAt: 1_040,
      answeredAt: 1_041,
    });
    observer.onExchange({
      request: request('/api/atlas/v2/', {
        method: 'GET',
        headers: { authorization: 'Bearer made-up' },
      }),
      response: response(401),
      receivedAt: 1_050,
      answeredAt: 1_051,
    });
    observer.onExchange({
      request: request('/api/oauth/revoke', {
        headers: { ...form, authorization: basic(GIVEN.clientId, GIVEN.clientSecret) },
        body: `token=${TOKEN}&token_type_hint=access_token`,
      }),
      response: response(200),
      receivedAt: 1_060,
      answeredAt: 1_061,
    });

    const [issued, encoded, posted, used, madeUp, revoked] = observer.requests();
    expect(issued).toMatchObject({
      index: 1,
      kind: 'token',
      sentBy: 10,
      arrivedAt: 10,
      answeredAt: 12,
      auth: { scheme: 'basic', clientId: 'raw', clientSecret: 'raw' },
      issued: { ref: 'T1', expiresInSeconds: 3600 },
    });
    expect(encoded?.auth).toMatchObject({
      clientId: 'percent-encoded',
      sentId: 'mdb%5Fsa%5Fid%5F0123',
    });
    expect(encoded?.retryAfter).toEqual({ value: '3', form: 'delta-seconds', notBefore: 3021 });
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

  test("a probe alias is a resource call, another Admin API path is not (the mock's 404)", () => {
    const observer = createObserver(GIVEN, () => 0);
    const call = (path: string, at: number) =>
      observer.onExchange({
        request: request(path, { method: 'GET', headers: { authorization: 'Bearer made-up' } }),
        response: response(401),
        receivedAt: at,
        answeredAt: at + 1,
      });
    call('/api/atlas/v2/orgs', 1);
    call('/api/atlas/v2/groups', 3);
    call('/api/atlas/v2/clusters', 5);
    expect(observer.requests().map((r) => r.kind)).toEqual(['resource', 'resource', 'other']);
  });

  test('a wrong id is not echoed: it may be the secret in the wrong place', () => {
    const observer = createObserver(GIVEN, () => 0);
    observer.onExchange({
      request: request('/api/oauth/token', {
        headers: { authorization: basic(GIVEN.clientSecret, GIVEN.clientId) },
      }),
      response: response(401),
      receivedAt: 1,
      answeredAt: 2,
    });
    expect(observer.requests()[0]?.auth).toMatchObject({
      clientId: 'wrong',
      sentId: '(not the given id)',
    });
  });

  test('orders requests as the program sent them; a new connection dates its first request', () => {
    const observer = createObserver(GIVEN, () => 1_000);
    const token = request('/api/oauth/token', {
      headers: { authorization: basic(GIVEN.clientId, GIVEN.clientSecret) },
      body: 'grant_type=client_credentials',
    });
    // Reported in the order of their fates: the slow first request last, as the mock closed.
    observer.onExchange({
      request: token,
      response: response(200, { access_token: TOKEN, expires_in: 3600 }),
      receivedAt: 1_300,
      connection: { id: 2, acceptedAt: 1_010, sequence: 1 },
      answeredAt: 1_350,
    });
    observer.onExchange({
      request: request('/api/atlas/v2/', {
        method: 'GET',
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
      response: response(200),
      receivedAt: 1_400,
      connection: { id: 2, acceptedAt: 1_010, sequence: 2 },
      answeredAt: 1_402,
    });
    observer.onExchange({
      request: token,
      receivedAt: 1_025,
      connection: { id: 1, acceptedAt: 1_004, sequence: 1 },
      abandonedAt: 2_500,
    });
    const [slow, quick, call] = observer.requests(1_600);
    expect(slow).toMatchObject({
      index: 1,
      sentBy: 4,
      arrivedAt: 25,
      unanswered: { closedAt: 1_500, because: 'exited' },
    });
    expect(slow?.status).toBeUndefined();
    expect(slow?.answeredAt).toBeUndefined();
    // first on its connection: sent no later than the connection was accepted
    expect(quick).toMatchObject({
      index: 2,
      sentBy: 10,
      arrivedAt: 300,
      answeredAt: 350,
      issued: { ref: 'T1' },
    });
    // a keep-alive connection's next request: sent when it arrived
    expect(call).toMatchObject({ index: 3, sentBy: 400, bearer: 'T1' });
    // closed well before the exit: the program gave up on it
    expect(observer.requests(2_000)[0]?.unanswered?.because).toBe('gave-up');
    const lines = timeline(observer.requests(1_600));
    expect(lines[0]).toMatch(
      /^#1 \+0\.004 s POST \/api\/oauth\/token {2}\(new connection; request \+0\.025 s\).* -> no answer: the program exited first$/,
    );
    expect(lines[1]).toMatch(
      /^#2 \+0\.010 s POST \/api\/oauth\/token {2}\(new connection; request \+0\.300 s\).* -> 200 at \+0\.350 s issued T1 \(expires_in 3600\)$/,
    );
    expect(timeline(observer.requests(2_000))[0]).toMatch(
      /no answer: the program closed the connection at \+1\.500 s$/,
    );
  });

  test('a connection the mock reset stays a reset, whenever the program exits; an error body keeps its code', () => {
    const observer = createObserver(GIVEN, () => 1_000);
    observer.onExchange({
      request: request('/api/oauth/token'),
      receivedAt: 1_010,
      abandonedAt: 1_012,
      reset: true,
    });
    observer.onExchange({
      request: request('/api/oauth/token'),
      receivedAt: 1_020,
      response: response(403, {
        error: 'access_denied',
        error_description: 'Access Token limit reached',
      }),
      answeredAt: 1_030,
    });
    // exited long after: a connection the program closed then would be "gave-up"
    const [reset, refused] = observer.requests(5_000);
    expect(reset?.unanswered).toEqual({ closedAt: 12, because: 'reset' });
    expect(refused?.error).toBe('access_denied');
    expect(timeline(observer.requests(5_000))[0]).toMatch(
      /-> no answer: the mock reset the connection at \+0\.012 s$/,
    );
  });

  test('reads Retry-After in both forms: delta-seconds from the answer, an HTTP-date as it names', () => {
    const startedAt = Date.parse('2026-12-01T10:00:00Z');
    const observer = createObserver(GIVEN, () => startedAt);
    for (const value of ['4', 'Tue, 01 Dec 2026 10:00:05 GMT', 'soon']) {
      observer.onExchange({
        request: request('/api/oauth/token'),
        response: response(503, {}, { 'Retry-After': value }),
        receivedAt: startedAt + 100,
        answeredAt: startedAt + 200,
      });
    }
    expect(observer.requests().map((r) => r.retryAfter)).toEqual([
      { value: '4', form: 'delta-seconds', notBefore: 4_200 },
      { value: 'Tue, 01 Dec 2026 10:00:05 GMT', form: 'http-date', notBefore: 5_000 },
      undefined,
    ]);
    expect(timeline(observer.requests())[1]).toMatch(
      /-> 503 at \+0\.200 s Retry-After: Tue, 01 Dec 2026 10:00:05 GMT \(\+5\.000 s\)$/,
    );
  });
});
