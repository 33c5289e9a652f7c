// The reference mock must hold: thousands of generated requests on loopback, bounded in count and
// time, some of them concurrent. It never crashes, never answers 5xx, and its memory stays flat.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { Agent, request } from 'undici';
import { afterAll, expect, test } from 'vitest';
import { fuzzInputs } from '../../src/fuzz.ts';
import { packagePath } from '../../src/paths.ts';
import { basicCredentials } from '../../src/redact.ts';
import type { Accounts } from '../../src/types.ts';

const ROUND = 1500;
const CONCURRENCY = 20;

let child: ChildProcessWithoutNullStreams | undefined;
afterAll(() => {
  child?.kill();
});

function nextLine(lines: Interface): Promise<string> {
  return new Promise((resolve) => lines.once('line', resolve));
}

test('thousands of generated requests: no 5xx, no crash, memory flat', async () => {
  child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', packagePath('test', 'support', 'mock-process.ts')],
    {
      cwd: packagePath(),
    },
  );
  const lines = createInterface({ input: child.stdout });
  const { url, accounts } = JSON.parse(await nextLine(lines)) as {
    url: string;
    accounts: Required<Accounts>;
  };
  const heap = async () => {
    child?.stdin.write('heap\n');
    return JSON.parse(await nextLine(lines)) as { heapUsed: number; journal: number };
  };

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
  async function send(
    requests: { method: string; url: string; headers: Record<string, string>; body?: string }[],
  ) {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < requests.length; i = next++) {
          const r = requests[i];
          if (!r) continue;
          try {
            const res = await request(r.url, {
              method: r.method as 'POST',
              headers: r.headers,
              body: r.body,
              dispatcher: agent,
              headersTimeout: 10_000,
              bodyTimeout: 10_000,
            });
            await res.body.dump();
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          } catch (error) {
            failures.push(`${r.method} ${new URL(r.url).pathname}: ${(error as Error).message}`);
          }
        }
      }),
    );
  }

  const started = Date.now();
  await send(round(1));
  const afterFirst = await heap();
  await send(round(2));
  await send(round(3));
  const afterThird = await heap();
  await agent.close();
  console.log(
    `mock heap after 1 round: ${Math.round(afterFirst.heapUsed / 2 ** 20)} MiB, after 3: ${Math.round(afterThird.heapUsed / 2 ** 20)} MiB; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  );

  expect(failures).toEqual([]);
  expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(3 * ROUND);
  expect(child.exitCode).toBeNull();
  // The journal is capped, the token store bounded per account: two more rounds add nothing that stays.
  expect(afterThird.journal).toBe(afterFirst.journal);
  expect(afterThird.heapUsed).toBeLessThan(afterFirst.heapUsed * 1.25 + 4 * 1024 * 1024);
  expect(Date.now() - started).toBeLessThan(60_000);
});
