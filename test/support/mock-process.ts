// The reference mock alone in a process (run with --expose-gc), for measuring its memory: prints
// its URL and accounts as one JSON line, then answers each "heap" line on stdin with the heap in
// use after a full collection.
import { createInterface } from 'node:readline';
import { startMock } from '../../src/mock/index.ts';

const mock = await startMock({ rateLimit: { requests: 1_000_000, windowSeconds: 60 } });
process.stdout.write(`${JSON.stringify({ url: mock.url, accounts: mock.accounts })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'heap') continue;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  process.stdout.write(
    `${JSON.stringify({ heapUsed: process.memoryUsage().heapUsed, journal: mock.journal().length })}\n`,
  );
}
await mock.close();
