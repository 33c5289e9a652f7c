// The reference mock must hold: thousands of generated requests on loopback, bounded in count and
// time, some of them concurrent. It never crashes, never answers 5xx, and its memory stays flat,
// also when strangers send what they like (issue 15: hostile client ids, bodies, fault specs).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { Agent, request } from 'undici';
import { afterAll, expect, test } from 'vitest';
import type { MockOptions } from '../../src/mock/index.ts';
import { packagePath } from '../../src/shared/paths.ts';
import { basicCredentials } from '../../src/shared/redact.ts';
import type { Accounts } from '../../src/shared/types.ts';
import { fuzzInputs } from '../../src/suite/fuzz-inputs.ts';

const ROUND = 1500;
const CONCURRENCY = 20;
const MiB = 2 ** 20;

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) child.kill();
});

function nextLine(lines: Interface): Promise<string> {
  return new Promise((resolve) => lines.once('line', resolve));
}

interface Memory {
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  journal: number;
}

/** The mock alone in a child process (test/support/mock-process.ts), and a way to read its memory. */
async function spawnMock(options?: MockOptions) {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      packagePath('test', 'support', 'mock-process.ts'),
      ...(options ? [JSON.stringify(options)] : []),
    ],
    { cwd: packagePath() },
  );
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  const { url, accounts } = JSON.parse(await nextLine(lines)) as {
    url: string;
    accounts: Required<Accounts>;
  };
  const memory = async () => {
    child.stdin.write('heap\n');
    return JSON.parse(await nextLine(lines)) as Memory;
  };
  return { child, url, accounts, memory };
}

interface Outgoing {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  text: string;
}

/**
 * Sends `count` requests made by `make(i)`, CONCURRENCY at a time; `onAnswer` sees each answer.
 * Transport errors are collected, not thrown, so that one failure does not hide the others.
 */
async function sendAll(
  agent: Agent,
  count: number,
  make: (i: number) => Outgoing,
  onAnswer: (answer: Answer, i: number) => void = () => {},
): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        const r = make(i);
        try {
          const res = await request(r.url, {
            method: r.method as 'POST',
            headers: r.headers,
            body: r.body,
            dispatcher: agent,
            headersTimeout: 10_000,
            bodyTimeout: 10_000,
          });
          onAnswer({ status: res.statusCode, text: await res.body.text() }, i);
        } catch (error) {
          failures.push(`${r.method} ${new URL(r.url).pathname}: ${(error as Error).message}`);
        }
      }
    }),
  );
  return failures;
}

test('thousands of generated requests: no 5xx, no crash, memory flat', async () => {
  const { child, url, accounts, memory: heap } = await spawnMock();

  const primary = accounts.primary;
  const basic = `Basic ${basicCredentials(primary.clientId, primary.clientSecret)}`;
  const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };
  const round = (seed: number) => [
    ...fuzzInputs(seed, ROUND / 3, 'token', `${url}/api/oauth/token`, primary).map(
      (input) => input.request,
    ),
    ...fuzzInputs(seed, ROUND / 3, 'revoke', `${url}/api/oauth/revoke`, primary).map(
      (input) => input.request,
    ),
    ...Array.from({ length: ROUND / 3 }, (_, i) =>
      i % 2 === 0
        ? {
            method: 'POST',
            url: `${url}/api/oauth/token`,
            headers: form,
            body: 'grant_type=client_credentials',
          }
        : {
            method: 'GET',
            url: `${url}/api/atlas/v2/`,
            headers: { authorization: 'Bearer not-a-token' },
          },
    ),
  ];
  const agent = new Agent({ connections: CONCURRENCY });
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  const send = async (requests: Outgoing[]) => {
    const sent = await sendAll(
      agent,
      requests.length,
      (i) => requests[i] as Outgoing,
      ({ status }) => statuses.set(status, (statuses.get(status) ?? 0) + 1),
    );
    failures.push(...sent);
  };

  const started = Date.now();
  await send(round(1));
  const afterFirst = await heap();
  await send(round(2));
  await send(round(3));
  const afterThird = await heap();
  await agent.close();
  console.log(
    `mock heap after 1 round: ${Math.round(afterFirst.heapUsed / MiB)} MiB, after 3: ${Math.round(afterThird.heapUsed / MiB)} MiB; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  );

  expect(failures).toEqual([]);
  expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(3 * ROUND);
  expect(child.exitCode).toBeNull();
  // The journal is capped, the token store bounded per account: two more rounds add nothing that stays.
  expect(afterThird.journal).toBe(afterFirst.journal);
  expect(afterThird.heapUsed).toBeLessThan(afterFirst.heapUsed * 1.25 + 4 * MiB);
  expect(Date.now() - started).toBeLessThan(60_000);
});

// Issue 15, items 14 and 15: strangers send what they like. Distinct 11 KB client ids (the rate
// limiter's keys), bodies at the body cap with long headers (the journal), and fault specs with
// long paths and huge counts (the fault queue). Afterwards the mock holds no more than its
// documented bounds (README "The reference mock", "Bounds"), and the configured accounts' rate
// limit is exactly the documented one.
//
// The bound asserted is heapUsed after a full collection: every map, list and string the mock
// keeps lives on the V8 heap, and after GC heapUsed is what is kept, not what was briefly
// allocated. RSS is printed too but not asserted: it also holds memory freed by the collector that
// the allocator has not yet returned to the system, which depends on the machine, not on the mock.
const HOSTILE_TOKEN_IDS = 12_000; // beyond the 10,000 unknown-caller keys a limiter tracks
const HOSTILE_REVOKE_IDS = 2_000;
const HOSTILE_ID_CHARACTERS = 11_000; // the issue's 11 KB; its Basic header stays under 16 KiB
const JOURNAL_FLOOD = 1_200; // more than the journal's 1,000 entries
const LONG_PATH_FAULTS = 1_000;
const HUGE_COUNT_FAULTS = 300;
const MAX_COUNT_FAULTS = 150; // beyond the queue's 100
// The documented bounds of what strangers can make the mock keep, in the worst case (README,
// "Bounds"): two limiters x two pools x 10,000 windows at about 250 bytes (10 MiB), the journal's
// 1,000 entries x about 8,300 characters at 2 bytes (16 MiB), 100 faults x a 1,024-character path
// (0.2 MiB). 32 MiB leaves room for the collector's own slack.
const GROWTH_BOUND = 32 * MiB;

test('hostile client ids, bodies and fault specs: memory within the documented bounds, the rate limit exact', async () => {
  const limit = { requests: 10, windowSeconds: 60 };
  const { child, url, accounts, memory } = await spawnMock({ rateLimit: limit });
  const agent = new Agent({ connections: CONCURRENCY });
  const failures: string[] = [];
  const statuses: Record<string, Record<number, number>> = {};
  const tally = (what: string) => (answer: Answer) => {
    const counts = statuses[what] ?? {};
    counts[answer.status] = (counts[answer.status] ?? 0) + 1;
    statuses[what] = counts;
  };
  const started = Date.now();

  // Warm-up with well-behaved traffic, so that the baseline holds the code and caches a run needs.
  const { primary, secondary } = accounts;
  failures.push(
    ...(await sendAll(agent, 200, (i) => ({
      method: 'GET',
      url: `${url}/api/atlas/v2/`,
      headers: { authorization: `Bearer not-a-token-${i}` },
    }))),
  );
  const before = await memory();

  const hostileBasic = (i: number) =>
    `Basic ${basicCredentials(`stranger-${i}-${'x'.repeat(HOSTILE_ID_CHARACTERS)}`, 'guess')}`;
  const form = 'application/x-www-form-urlencoded';
  failures.push(
    ...(await sendAll(
      agent,
      HOSTILE_TOKEN_IDS,
      (i) => ({
        method: 'POST',
        url: `${url}/api/oauth/token`,
        headers: { authorization: hostileBasic(i), 'content-type': form },
        body: 'grant_type=client_credentials',
      }),
      tally('token, distinct 11 KB ids'),
    )),
    ...(await sendAll(
      agent,
      HOSTILE_REVOKE_IDS,
      (i) => ({
        method: 'POST',
        url: `${url}/api/oauth/revoke`,
        headers: { authorization: hostileBasic(i), 'content-type': form },
        body: 'token=x',
      }),
      tally('revoke, distinct 11 KB ids'),
    )),
    // 60 KB bodies (30,000 two-byte characters) and a 12 KB header, all kept by an unclipped journal.
    ...(await sendAll(
      agent,
      JOURNAL_FLOOD,
      (i) => ({
        method: 'POST',
        url: `${url}/api/oauth/token?n=${i}`,
        headers: { 'content-type': form, 'x-filler': 'f'.repeat(12_000) },
        body: `grant_type=${'ā'.repeat(30_000)}`,
      }),
      tally('token, 60 KB bodies'),
    )),
  );

  const postFault = (spec: Record<string, unknown>): Outgoing => ({
    method: 'POST',
    url: `${url}/__conformance/faults`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  const refusals: string[] = [];
  const judgeRefusal = (what: string) => (answer: Answer) => {
    tally(what)(answer);
    if (answer.status === 204) return;
    const error = JSON.parse(answer.text) as { error?: string; error_description?: string };
    if (answer.status !== 400 || error.error !== 'invalid_fault' || !error.error_description) {
      refusals.push(`${what}: ${answer.status} ${answer.text.slice(0, 200)}`);
    }
  };
  failures.push(
    ...(await sendAll(
      agent,
      LONG_PATH_FAULTS,
      (i) =>
        postFault({
          path: `/${'p'.repeat(50_000)}/${i}`,
          status: 503,
          count: 1e15,
          retryAfterSeconds: 1e15,
          delayMs: 60_000,
        }),
      judgeRefusal('faults, 50 KB paths'),
    )),
    ...(await sendAll(
      agent,
      HUGE_COUNT_FAULTS,
      (i) => postFault({ path: `/soak/huge/${i}`, status: 500, count: 1e15 }),
      judgeRefusal('faults, count 10^15'),
    )),
    ...(await sendAll(
      agent,
      MAX_COUNT_FAULTS,
      (i) =>
        postFault({ path: `/soak/max/${i}`, status: 503, count: 100, retryAfterSeconds: 3600 }),
      judgeRefusal('faults, count 100'),
    )),
  );
  const pending = await request(`${url}/__conformance/faults`, { dispatcher: agent });
  const pendingFaults = (await pending.body.json()) as unknown[];

  const after = await memory();
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
  console.log(
    `hostile soak: heapUsed after GC ${mib(before.heapUsed)} -> ${mib(after.heapUsed)} (bound +${mib(GROWTH_BOUND)}), rss ${mib(before.rss)} -> ${mib(after.rss)}, external ${mib(before.external)} -> ${mib(after.external)}; journal ${after.journal} entries; ${pendingFaults.length} pending faults; ${Math.round((Date.now() - started) / 1000)} s; statuses ${JSON.stringify(statuses)}`,
  );

  // The configured accounts' documented limit, exactly: the first 10 pass, the 11th is refused.
  const cleared = await request(`${url}/__conformance/faults`, {
    method: 'DELETE',
    dispatcher: agent,
  });
  await cleared.body.dump();
  const tokenStatuses: number[] = [];
  const revokeStatuses: number[] = [];
  for (let i = 0; i <= limit.requests; i++) {
    const token = await request(`${url}/api/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basicCredentials(primary.clientId, primary.clientSecret)}`,
        'content-type': form,
      },
      body: 'grant_type=client_credentials',
      dispatcher: agent,
    });
    await token.body.dump();
    tokenStatuses.push(token.statusCode);
    const revoke = await request(`${url}/api/oauth/revoke`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basicCredentials(secondary.clientId, secondary.clientSecret)}`,
        'content-type': form,
      },
      body: 'token=not-a-token',
      dispatcher: agent,
    });
    await revoke.body.dump();
    revokeStatuses.push(revoke.statusCode);
  }
  await agent.close();

  // Soft, so that a mock without the bounds shows every way it fails at once.
  expect.soft(failures).toEqual([]);
  expect.soft(child.exitCode).toBeNull();
  expect.soft(after.heapUsed - before.heapUsed).toBeLessThan(GROWTH_BOUND);
  expect.soft(refusals).toEqual([]);
  expect.soft(pendingFaults.length).toBeLessThanOrEqual(100);
  expect.soft(statuses['faults, 50 KB paths']?.[204]).toBeUndefined();
  expect.soft(statuses['faults, count 10^15']?.[204]).toBeUndefined();
  const documented = [...Array<number>(limit.requests).fill(200), 429];
  expect.soft(tokenStatuses).toEqual(documented);
  expect.soft(revokeStatuses).toEqual(documented);
  expect.soft(Date.now() - started).toBeLessThan(120_000);
}, 180_000);
