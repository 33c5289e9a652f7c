// Hostile content codings. Usage: tsx repro/coding-attacks.ts [mode...]
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { check, configFor, hostileMock, type MockResponse, reasons, summary } from './lib.ts';

function bytesOf(res: MockResponse): Buffer | undefined {
  if (res.body === undefined) return undefined;
  if (res.body instanceof Uint8Array) return Buffer.from(res.body);
  return Buffer.from(JSON.stringify(res.body, null, res.pretty ? 2 : undefined));
}
const coded = (res: MockResponse, coding: string, body: Buffer): MockResponse => ({
  ...res,
  headers: { ...res.headers, 'content-encoding': coding },
  body,
});
// 1 GB of zeros gzipped twice: ~ a few KB on the wire.
const bomb = gzipSync(gzipSync(Buffer.alloc(200 * 1024 * 1024)));
console.log(`bomb on the wire: ${bomb.length} bytes`);

const modes: Record<string, (res: MockResponse) => MockResponse> = {
  // every body a gzip bomb (gzip of gzip of 200 MiB of zeros)
  'gzip-bomb-errors': (res) => (res.status >= 400 ? coded(res, 'gzip, gzip', bomb) : res),
  // a correct body under a Content-Encoding list of 1,000 gzips (really gzipped 1,000 times)
  'thousand-gzips': (res) => {
    let b = bytesOf(res);
    if (!b) return res;
    for (let i = 0; i < 1000; i++) b = gzipSync(b);
    return coded(res, Array(1000).fill('gzip').join(', '), b);
  },
  // a Content-Encoding list of 1,000 identity codings: the body is plain
  'thousand-identity': (res) => {
    const b = bytesOf(res);
    return b ? coded(res, Array(1000).fill('identity').join(','), b) : res;
  },
  // Content-Encoding: gzip on every response, body empty where the mock sends none
  'gzip-empty': (res) => {
    const b = bytesOf(res);
    return b ? coded(res, 'gzip', gzipSync(b)) : coded(res, 'gzip', Buffer.alloc(0));
  },
  // br then gzip (Content-Encoding: br, gzip), correct
  'br-gzip': (res) => {
    const b = bytesOf(res);
    return b ? coded(res, 'br, gzip', gzipSync(brotliCompressSync(b))) : res;
  },
  // upper-case coding names, extra whitespace (RFC 9110 §8.4.1: case-insensitive)
  'GZIP-case': (res) => {
    const b = bytesOf(res);
    return b ? coded(res, '  GZip  ', gzipSync(b)) : res;
  },
  // an unknown coding on errors
  'unknown-coding': (res) => {
    const b = bytesOf(res);
    return b && res.status >= 400 ? coded(res, `zstd;q=\u00e9${'x'.repeat(3000)}`, b) : res;
  },
};

const wanted = process.argv.slice(2);
for (const [name, tamper] of Object.entries(modes)) {
  if (wanted.length && !wanted.includes(name)) continue;
  const mock = await hostileMock({ tamper });
  try {
    const started = process.memoryUsage().rss;
    const c = await check(name, mock, configFor(mock), ['--seed', '3', '--fuzz', '0']);
    summary(name, c);
    reasons(
      c,
      /token\.(200\.body|error\.body|invalid_client\.401 \[wrong)|revoke\.200\.status \[live/,
    );
    void started;
  } finally {
    await mock.close();
  }
}
