// The reference mock alone in a process (run with --expose-gc), for measuring its memory. Takes
// its MockOptions as one JSON argument (default: a limit no soak reaches). Prints its URL and
// accounts as one JSON line, then answers each "heap" line on stdin with its memory after a full
// collection: heapUsed (what the mock keeps: every map, list and string it holds is on the V8
// heap), and rss, external and arrayBuffers for the record.
import { createInterface } from 'node:readline';
import { type MockOptions, startMock } from '../../src/mock/index.ts';

const options: MockOptions = process.argv[2]
  ? (JSON.parse(process.argv[2]) as MockOptions)
  : { rateLimit: { requests: 1_000_000, windowSeconds: 60 } };
const mock = await startMock(options);
process.stdout.write(`${JSON.stringify({ url: mock.url, accounts: mock.accounts })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'heap') continue;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ heapUsed, rss, external, arrayBuffers, journal: mock.journal().length })}\n`,
  );
}
await mock.close();
