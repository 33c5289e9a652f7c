/**
 * Token endpoint throughput and latency on loopback, under the same load for the reference mock,
 * node-oidc-provider and oauth2-mock-server, plus the mock's resource probe. Bounded: a few
 * seconds per target, 10 connections, 127.0.0.1 only.
 */
import autocannon from 'autocannon';
import { startMock } from '../src/mock/index.ts';
import { basicCredentials } from '../src/redact.ts';
import { startOAuth2MockServer } from '../test/third-party/oauth2-mock-server.ts';
import { startOidcProvider } from '../test/third-party/oidc-provider.ts';

export interface Throughput {
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

const SECONDS = 5;
const CONNECTIONS = 10;

async function load(
  target: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Throughput> {
  const result = await autocannon({
    url,
    method: body === undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body }),
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  return {
    target,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CC = 'grant_type=client_credentials';

export async function measureThroughput(): Promise<Throughput[]> {
  const rows: Throughput[] = [];
  // No limits: this measures the server, not its rate limiter.
  const mock = await startMock({
    rateLimit: { requests: 1e9, windowSeconds: 1 },
    maxActiveTokens: 1e9,
  });
  try {
    const { clientId, clientSecret } = mock.accounts.primary;
    const auth = { authorization: `Basic ${basicCredentials(clientId, clientSecret)}` };
    rows.push(
      await load(
        'reference mock: POST /api/oauth/token',
        `${mock.url}/api/oauth/token`,
        { ...FORM, ...auth },
        CC,
      ),
    );
    const token = (await (
      await fetch(`${mock.url}/api/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, ...auth },
        body: CC,
      })
    ).json()) as {
      access_token: string;
    };
    rows.push(
      await load('reference mock: GET /api/atlas/v2/ (probe)', `${mock.url}/api/atlas/v2/`, {
        authorization: `Bearer ${token.access_token}`,
      }),
    );
  } finally {
    await mock.close();
  }
  const provider = await startOidcProvider();
  try {
    const { clientId, clientSecret } = provider.accounts.primary;
    const auth = { authorization: `Basic ${basicCredentials(clientId, clientSecret)}` };
    rows.push(
      await load(
        'node-oidc-provider 8: POST /token',
        `${provider.url}${provider.tokenPath}`,
        { ...FORM, ...auth },
        CC,
      ),
    );
  } finally {
    await provider.close();
  }
  const server = await startOAuth2MockServer();
  try {
    const auth = { authorization: `Basic ${basicCredentials('bench', 'bench-secret')}` };
    rows.push(
      await load(
        'oauth2-mock-server 7: POST /token',
        `${server.url}${server.tokenPath}`,
        { ...FORM, ...auth },
        CC,
      ),
    );
  } finally {
    await server.close();
  }
  return rows;
}
