/**
 * Token endpoint throughput and latency on loopback, under the same load for the reference mock
 * (each token format), node-oidc-provider and oauth2-mock-server, plus the mock's resource probe;
 * and the machine's own limit for the mock's faithful tokens: P-521 signatures per second on all
 * cores. Each server runs alone in a child process (bench/serve.ts), the load generator
 * (autocannon) in this one, so that no server shares an event loop with the load or with another
 * server. Bounded: a few rounds of a few seconds per target, 10 connections, 127.0.0.1 only.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import type { TokenFormat } from '../src/mock/index.ts';
import type { ServedTarget, ServeReady } from './serve.ts';

export interface Throughput {
  target: string;
  /** The mock's token format, for the mock's token endpoint rows. */
  tokenFormat?: TokenFormat;
  requestsPerSecond: number;
  /**
   * CPU time of the server's process (every thread: its event loop, its signing pool) per request
   * answered, in ms: unlike requests/s, hardly moved by what else runs on a shared machine.
   */
  cpuMsPerRequest: number;
  /** CPU time of the load generator (this process) per request, in ms: the same for every server. */
  loadCpuMsPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

/** The load every target gets, the same for each: stated in BENCHMARKS.md. */
export const LOAD = {
  /** Seconds per target per round. */
  seconds: 2,
  /** Rounds: every target is measured once in each round; each figure is the median. */
  rounds: 5,
  connections: 10,
  /** Requests in flight per connection (1: no HTTP pipelining, as ordinary clients send). */
  pipelining: 1,
  /** A first load of this many seconds per target before the rounds, not counted (JIT warm-up). */
  warmupSeconds: 1,
} as const;

/** The servers forked for the bench, by the name bench/serve.ts takes. */
export const SERVERS = [
  'mock:ES512',
  'mock:ES256',
  'mock:EdDSA',
  'mock:opaque',
  'oidc-provider',
  'oauth2-mock-server',
  'node-http',
] as const;

/** A server under test in its own process. */
interface ServerProcess {
  targets: ServedTarget[];
  /** Its CPU time so far, in µs (every thread). */
  cpu(): Promise<number>;
  close(): Promise<void>;
}

const SERVE = fileURLToPath(new URL('./serve.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** Forks bench/serve.ts for `name`; with `cpuProfDir`, the child writes a V8 CPU profile there on exit. */
async function spawnServer(name: string, cpuProfDir?: string): Promise<ServerProcess> {
  const child: ChildProcess = fork(SERVE, [name], {
    execArgv: [
      '--import',
      TSX,
      ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T>(pick: (message: unknown) => T | undefined): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: unknown) => {
        const value = pick(message);
        if (value === undefined) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(value);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`bench server ${name} exited (status ${code}) before answering`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next((message) =>
    typeof message === 'object' && message !== null && 'targets' in message
      ? (message as ServeReady)
      : undefined,
  );
  return {
    targets: ready.targets,
    cpu() {
      const answer = next((message) =>
        typeof message === 'object' && message !== null && 'cpu' in message
          ? (message as { cpu: number }).cpu
          : undefined,
      );
      child.send('cpu');
      return answer;
    },
    async close() {
      if (child.exitCode === null && child.connected) child.send('close');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function load(server: ServerProcess, t: ServedTarget, seconds: number): Promise<Throughput> {
  const serverBefore = await server.cpu();
  const mine = process.cpuUsage();
  const result = await autocannon({
    url: t.url,
    method: t.body === undefined ? 'GET' : 'POST',
    headers: t.headers,
    ...(t.body === undefined ? {} : { body: t.body }),
    connections: LOAD.connections,
    pipelining: LOAD.pipelining,
    duration: seconds,
  });
  const loadUsed = process.cpuUsage(mine);
  const serverUsed = (await server.cpu()) - serverBefore;
  const answered = Math.max(1, result.requests.total);
  return {
    target: t.target,
    ...(t.tokenFormat ? { tokenFormat: t.tokenFormat } : {}),
    requestsPerSecond: Math.round(result.requests.average),
    cpuMsPerRequest: serverUsed / 1000 / answered,
    loadCpuMsPerRequest: (loadUsed.user + loadUsed.system) / 1000 / answered,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

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
 * worker thread per core, while the servers under test sit idle.
 */
export async function measureSigningLimit(seconds: number = LOAD.seconds): Promise<number> {
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

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export interface ThroughputResult {
  rows: Throughput[];
  /** P-521 signatures per second on all cores (median of the rounds). */
  signingLimit: number;
}

export interface ThroughputOptions {
  rounds?: number;
  /** Only these servers (names as {@link SERVERS}); default all. */
  servers?: readonly string[];
  /** Each server process writes a V8 CPU profile (`.cpuprofile`) into this directory as it stops. */
  cpuProfDir?: string;
}

/**
 * Every target, and the signing limit, in rounds of a few seconds each, one after the other
 * within a round; each figure is the median of its rounds. On a shared machine the load drifts
 * within a minute: measured in turn, each ratio compares figures taken under the same drift, not
 * one target in a quiet minute and the other in a busy one.
 */
export async function measureThroughput(
  options: ThroughputOptions = {},
): Promise<ThroughputResult> {
  const rounds = options.rounds ?? LOAD.rounds;
  const names = options.servers ?? SERVERS;
  const servers: ServerProcess[] = [];
  try {
    for (const name of names) servers.push(await spawnServer(name, options.cpuProfDir));
    const targets = servers.flatMap((server) => server.targets.map((t) => ({ server, t })));
    for (const { server, t } of targets) await load(server, t, LOAD.warmupSeconds);
    const samples = new Map<string, Throughput[]>(targets.map(({ t }) => [t.target, []]));
    const limits: number[] = [];
    for (let round = 0; round < rounds; round++) {
      limits.push(await measureSigningLimit(LOAD.seconds));
      for (const { server, t } of targets)
        samples.get(t.target)?.push(await load(server, t, LOAD.seconds));
    }
    const rows = targets.map(({ t }) => {
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
    await Promise.all(servers.map((server) => server.close()));
  }
}
