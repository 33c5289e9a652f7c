/**
 * Token endpoint throughput and latency on loopback, under the same load for the reference mock
 * (each token format), node-oidc-provider and oauth2-mock-server, plus the mock's resource probe;
 * and the machine's own limit for the mock's faithful tokens: P-521 signatures per second on all
 * cores. Bounded: three rounds of a few seconds per target, 10 connections, 127.0.0.1 only.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { startMock, type TokenFormat } from '../src/mock/index.ts';
import { basicCredentials } from '../src/shared/redact.ts';
import { startOAuth2MockServer } from '../test/third-party/oauth2-mock-server.ts';
import { startOidcProvider } from '../test/third-party/oidc-provider.ts';

export interface Throughput {
  target: string;
  /** The mock's token format, for the mock's token endpoint rows. */
  tokenFormat?: TokenFormat;
  requestsPerSecond: number;
  /**
   * CPU time of this whole process (every thread: the server, its signing pool, the load
   * generator) per request, in ms: unlike requests/s, hardly moved by what else runs on a shared
   * machine.
   */
  cpuMsPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

/** Seconds per target per round, and rounds: every target is measured in each round. */
const SECONDS = 2;
const ROUNDS = 5;
const CONNECTIONS = 10;

async function load(
  target: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Throughput> {
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url,
    method: body === undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body }),
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  const used = process.cpuUsage(cpu);
  return {
    target,
    requestsPerSecond: Math.round(result.requests.average),
    cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, result.requests.total),
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

/** A target under load: what to send, and how to stop its server. */
interface Target {
  target: string;
  tokenFormat?: TokenFormat;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The mock's token endpoint with one token format, and (for ES512) its probe. */
async function mockTargets(
  tokenFormat: TokenFormat,
  withProbe: boolean,
): Promise<{ targets: Target[]; close: () => Promise<void> }> {
  // No limits: this measures the server, not its rate limiter.
  const mock = await startMock({
    rateLimit: { requests: 1e9, windowSeconds: 1 },
    maxActiveTokens: 1e9,
    tokenFormat,
  });
  const { clientId, clientSecret } = mock.accounts.primary;
  const auth = { authorization: `Basic ${basicCredentials(clientId, clientSecret)}` };
  const label = tokenFormat === 'ES512' ? 'ES512, faithful' : `${tokenFormat}, load mode`;
  const targets: Target[] = [
    {
      target: `reference mock (${label}): POST /api/oauth/token`,
      tokenFormat,
      url: `${mock.url}/api/oauth/token`,
      headers: { ...FORM, ...auth },
      body: CC,
    },
  ];
  if (withProbe) {
    const token = (await (
      await fetch(`${mock.url}/api/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, ...auth },
        body: CC,
      })
    ).json()) as { access_token: string };
    targets.push({
      target: 'reference mock: GET /api/atlas/v2/ (probe)',
      url: `${mock.url}/api/atlas/v2/`,
      headers: { authorization: `Bearer ${token.access_token}` },
    });
  }
  return { targets, close: () => mock.close() };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export interface ThroughputResult {
  rows: Throughput[];
  /** P-521 signatures per second on all cores (median of the rounds). */
  signingLimit: number;
}

/**
 * Every target, and the signing limit, in ROUNDS rounds of a few seconds each, one after the
 * other within a round; each figure is the median of its rounds. On a shared machine the load
 * drifts within a minute: measured in turn, each ratio compares figures taken under the same
 * drift, not one target in a quiet minute and the other in a busy one.
 */
export async function measureThroughput(rounds = ROUNDS): Promise<ThroughputResult> {
  const servers: { targets: Target[]; close: () => Promise<void> }[] = [];
  try {
    servers.push(await mockTargets('ES512', true));
    for (const format of ['ES256', 'EdDSA', 'opaque'] as const)
      servers.push(await mockTargets(format, false));
    const provider = await startOidcProvider();
    const oidcAuth = basicCredentials(
      provider.accounts.primary.clientId,
      provider.accounts.primary.clientSecret,
    );
    servers.push({
      targets: [
        {
          target: 'node-oidc-provider 8: POST /token',
          url: `${provider.url}${provider.tokenPath}`,
          headers: { ...FORM, authorization: `Basic ${oidcAuth}` },
          body: CC,
        },
      ],
      close: () => provider.close(),
    });
    const server = await startOAuth2MockServer();
    servers.push({
      targets: [
        {
          target: 'oauth2-mock-server 7: POST /token',
          url: `${server.url}${server.tokenPath}`,
          headers: { ...FORM, authorization: `Basic ${basicCredentials('bench', 'bench-secret')}` },
          body: CC,
        },
      ],
      close: () => server.close(),
    });
    const targets = servers.flatMap((entry) => entry.targets);
    const samples = new Map<string, Throughput[]>(targets.map((t) => [t.target, []]));
    const limits: number[] = [];
    for (let round = 0; round < rounds; round++) {
      limits.push(await measureSigningLimit(SECONDS));
      for (const t of targets) {
        const row = await load(t.target, t.url, t.headers, t.body);
        samples
          .get(t.target)
          ?.push({ ...row, ...(t.tokenFormat ? { tokenFormat: t.tokenFormat } : {}) });
      }
    }
    const rows = targets.map((t) => {
      const mine = samples.get(t.target) ?? [];
      const middle = median(mine.map((row) => row.requestsPerSecond));
      const chosen = mine.find((row) => row.requestsPerSecond === middle) ?? mine[0];
      return {
        ...(chosen as Throughput),
        non2xx: mine.reduce((sum, row) => sum + row.non2xx, 0),
      };
    });
    return { rows, signingLimit: median(limits) };
  } finally {
    for (const entry of servers) await entry.close();
  }
}
