import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bodyJson } from '../../src/suite/checks/json.ts';
import { configureTransport, send } from '../../src/target/http.ts';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    // /latin1: a JSON body in ISO-8859-1, not UTF-8.
    if (req.url === '/latin1') res.end(Buffer.from('{"error":"mal form\xe9"}', 'latin1'));
    else res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  configureTransport({});
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

// timeoutSeconds 1.001 is 1000.9999999999999 ms: AbortSignal.timeout refuses a fraction, and the
// run used to end with exit 3, "does not speak HTTP (ERR_OUT_OF_RANGE)", against a healthy target.
test('a timeout that is not a whole number of milliseconds still sends the request', async () => {
  const exchange = await send({ method: 'GET', url, headers: {} }, { timeoutMs: 1.001 * 1000 });
  expect(exchange.error).toBeUndefined();
  expect(exchange.response?.status).toBe(200);
});

test('so does the time left before a deadline that is not a whole millisecond away', async () => {
  configureTransport({ deadlineAt: Date.now() + 5000.5 });
  const exchange = await send({ method: 'GET', url, headers: {} }, { timeoutMs: 30_000 });
  configureTransport({});
  expect(exchange.error).toBeUndefined();
});

// RFC 8259 §8.1: JSON between systems MUST be UTF-8. Invalid bytes are named, not silently U+FFFD.
test('a body that is not valid UTF-8 is marked, and its JSON checks say why', async () => {
  const exchange = await send(
    { method: 'GET', url: `${url}latin1`, headers: {} },
    { timeoutMs: 5000 },
  );
  expect(exchange.response?.notUtf8).toBe(true);
  const json = exchange.response ? bodyJson(exchange.response) : undefined;
  expect(json).toEqual({
    ok: false,
    reason:
      'the body is not valid UTF-8, which RFC 8259 §8.1 requires of JSON exchanged between systems',
  });
});
