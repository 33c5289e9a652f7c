/**
 * Signing off the main thread. An ES512 signature (P-521) costs about 1.4 ms of a core, which caps
 * a mock that signs on its main thread near 700 tokens a second whatever the machine; a pool of
 * one worker per core signs while the main thread serves HTTP. ES256 and EdDSA signatures are
 * cheaper than a message to a worker, and go to libuv's thread pool instead. Both start only once
 * the token endpoint is busy ({@link createTokenSigner}): a mock that issues a few tokens (the
 * suite's embedded run, a client's scenario) signs on its main thread and starts no thread at all.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { digestOf, type SigningKey, signInput, signInputOffThread } from './tokens.ts';

/** Signing inputs sent to a worker in one message at most. */
const MAX_BATCH = 16;

/**
 * The worker, as source: it needs nothing but node:crypto, so it runs the same under tsx, in the
 * bundled image and in other projects' tests. It receives batches of JWS signing inputs and
 * answers their signatures (base64url), in order.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const key = createPrivateKey({ key: Buffer.from(workerData.pkcs8), format: 'der', type: 'pkcs8' });
parentPort.on('message', (inputs) => {
  parentPort.postMessage(
    inputs.map((input) =>
      sign(workerData.digest, Buffer.from(input, 'ascii'), { key, dsaEncoding: 'ieee-p1363' })
        .toString('base64url'),
    ),
  );
});
`;

interface Job {
  input: string;
  resolve: (signature: string) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  queue: Job[];
  inFlight: Job[];
  dead: boolean;
}

export interface SignPool {
  /** Signs a JWS signing input on a worker: the signature, base64url. */
  sign(input: string): Promise<string>;
  /** Stops the workers; signings still pending are rejected. */
  close(): Promise<void>;
}

/** A pool of `size` workers signing with `key`. */
export function createSignPool(key: SigningKey, size: number): SignPool {
  const digest = digestOf(key);
  const pkcs8 = key.privateKey.export({ format: 'der', type: 'pkcs8' });
  const slots: Slot[] = [];
  const fail = (slot: Slot, error: Error) => {
    slot.dead = true;
    for (const job of [...slot.inFlight, ...slot.queue]) job.reject(error);
    slot.inFlight = [];
    slot.queue = [];
  };
  const flush = (slot: Slot) => {
    if (slot.inFlight.length > 0 || slot.queue.length === 0 || slot.dead) return;
    slot.inFlight = slot.queue.splice(0, MAX_BATCH);
    slot.worker.postMessage(slot.inFlight.map((job) => job.input));
  };
  for (let i = 0; i < size; i++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pkcs8, digest } });
    // The pool never keeps a process alive: a mock's server and its clients do.
    worker.unref();
    const slot: Slot = { worker, queue: [], inFlight: [], dead: false };
    worker.on('message', (signatures: string[]) => {
      const done = slot.inFlight;
      slot.inFlight = [];
      done.forEach((job, index) => {
        const signature = signatures[index];
        if (typeof signature === 'string') job.resolve(signature);
        else job.reject(new Error('the signing worker answered no signature'));
      });
      flush(slot);
    });
    worker.on('error', (error) => fail(slot, error));
    worker.on('exit', () => fail(slot, new Error('the signing worker stopped')));
    slots.push(slot);
  }
  return {
    sign(input) {
      return new Promise((resolve, reject) => {
        let best: Slot | undefined;
        for (const slot of slots) {
          if (slot.dead) continue;
          const load = slot.queue.length + slot.inFlight.length;
          if (!best || load < best.queue.length + best.inFlight.length) best = slot;
        }
        if (!best) {
          // Every worker died: sign here, slower but still right.
          try {
            resolve(signInput(key, input).toString('base64url'));
          } catch (error) {
            reject(error as Error);
          }
          return;
        }
        best.queue.push({ input, resolve, reject });
        flush(best);
      });
    },
    async close() {
      await Promise.all(
        slots.map((slot) => {
          slot.dead = true;
          return slot.worker.terminate();
        }),
      );
    },
  };
}

/** Token requests within one second past which the pool starts (a load test, not a suite run). */
const BUSY_PER_SECOND = 20;

export interface TokenSigner {
  /** The signature of a JWS signing input, base64url: at once on this thread, or from the pool. */
  sign(input: string): string | Promise<string>;
  close(): Promise<void>;
}

/**
 * Signs on the main thread until the token endpoint gets more than {@link BUSY_PER_SECOND}
 * requests within a second, then off it:
 * - ES512 on a pool of `threads` workers (default: one per core), started then; its signature
 *   (about 1.4 ms of a core) dwarfs the message to a worker and back.
 * - ES256 and EdDSA on libuv's thread pool, through node:crypto's one-shot sign with a callback
 *   (no worker, no message: a worker's message cost the main thread about 0.1 ms, more than these
 *   signatures). A profile under load: signing was a fifth of the main thread's time per token,
 *   and the event loop, not the cores, was what limited the mock; off the loop, tokens per second
 *   nearly doubled on 2 cores (bench/throughput.ts).
 *
 * `threads` 0 signs on the main thread always.
 */
export function createTokenSigner(
  key: SigningKey,
  threads = availableParallelism(),
  now: () => number = Date.now,
): TokenSigner {
  let pool: SignPool | undefined;
  let busy = false;
  let windowStart = 0;
  let inWindow = 0;
  return {
    sign(input) {
      if (pool) return pool.sign(input);
      if (busy) return signInputOffThread(key, input).then((s) => s.toString('base64url'));
      if (threads > 0) {
        const t = now();
        if (t - windowStart >= 1000) {
          windowStart = t;
          inWindow = 0;
        }
        inWindow += 1;
        if (inWindow > BUSY_PER_SECOND) {
          if (key.alg === 'ES512') {
            pool = createSignPool(key, threads);
            return pool.sign(input);
          }
          busy = true;
          return signInputOffThread(key, input).then((s) => s.toString('base64url'));
        }
      }
      return signInput(key, input).toString('base64url');
    },
    async close() {
      await pool?.close();
    },
  };
}
