/**
 * Token endpoint throughput and latency on loopback, under the same load for the reference mock
 * (each token format), node-oidc-provider and oauth2-mock-server, plus the mock's resource probe;
 * and the machine's own limit for the mock's faithful tokens: P-521 signatures per second on all
 * cores. Bounded: a few seconds per target, 10 connections, 127.0.0.1 only.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { startMock, type TokenFormat } from '../src/mock/index.ts';
import { basicCredentials } from '../src/redact.ts';
import { startOAuth2MockServer } from '../test/third-party/oauth2-mock-server.ts';
import { startOidcProvider } from '../test/third-party/oidc-provider.ts';

export interface Throughput {
  target: string;
  /** The mock's token format, for the mock's token endpoint rows. */
  tokenFormat?: TokenFormat;
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

/** One worker signing with a fresh P-521 key for `ms`, then answering how many it made. */
const SIGNER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { generateKeyPairSync, sign } = require('node:crypto');
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const input = Buffer.from('eyJhbGciOiJFUzUxMiJ9.' + 'e'.repeat(200));
const end = Date.now() + workerData.ms;
let count = 0;
while (Date.now() < end) {
  sign('sha512', input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  count += 1;
}
parentPort.postMessage(count);
`;

/**
 * The signing limit: ES512 (P-521) signatures per second with every core signing at once, one
 * worker thread per core, nothing else running in this process meanwhile.
 */
export async function measureSigningLimit(seconds = SECONDS): Promise<number> {
  const ms = seconds * 1000;
  const counts = await Promise.all(
    Array.from(
      { length: availableParallelism() },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(SIGNER_SOURCE, { eval: true, workerData: { ms } });
          worker.once('message', (count: number) => {
            resolve(count);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    ),
  );
  return Math.round(counts.reduce((sum, count) => sum + count, 0) / seconds);
}

/** The mock's token endpoint with one token format, and (for ES512) its probe. */
async function mockRows(tokenFormat: TokenFormat, withProbe: boolean): Promise<Throughput[]> {
  const rows: Throughput[] = [];
  // No limits: this measures the server, not its rate limiter.
  const mock = await startMock({
    rateLimit: { requests: 1e9, windowSeconds: 1 },
    maxActiveTokens: 1e9,
    tokenFormat,
  });
  try {
    const { clientId, clientSecret } = mock.accounts.primary;
    const auth = { authorization: `Basic ${basicCredentials(clientId, clientSecret)}` };
    const label = tokenFormat === 'ES512' ? 'ES512, faithful' : `${tokenFormat}, load mode`;
    rows.push({
      ...(await load(
        `reference mock (${label}): POST /api/oauth/token`,
        `${mock.url}/api/oauth/token`,
        { ...FORM, ...auth },
        CC,
      )),
      tokenFormat,
    });
    if (withProbe) {
      const token = (await (
        await fetch(`${mock.url}/api/oauth/token`, {
          method: 'POST',
          headers: { ...FORM, ...auth },
          body: CC,
        })
      ).json()) as { access_token: string };
      rows.push(
        await load('reference mock: GET /api/atlas/v2/ (probe)', `${mock.url}/api/atlas/v2/`, {
          authorization: `Bearer ${token.access_token}`,
        }),
      );
    }
  } finally {
    await mock.close();
  }
  return rows;
}

export async function measureThroughput(): Promise<Throughput[]> {
  const rows: Throughput[] = [];
  rows.push(...(await mockRows('ES512', true)));
  for (const format of ['ES256', 'EdDSA', 'opaque'] as const)
    rows.push(...(await mockRows(format, false)));
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
