import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startReferenceMock } from '../../src/api.ts';
import { isLoopbackHost } from '../../src/cli/mock.ts';
import {
  MAX_FAULT_COUNT,
  MAX_FAULT_PATH_LENGTH,
  MAX_FAULT_RETRY_AFTER_SECONDS,
  MAX_PENDING_FAULTS,
} from '../../src/mock/faults.ts';
import { packagePath } from '../../src/shared/paths.ts';
import { b64urlJson, HEADER_SETS, send, sorted, tokenRequest, useMock } from './helpers.ts';

const start = useMock({ rateLimit: { requests: 1000, windowSeconds: 60 } });

function postFault(url: string, body: unknown) {
  return send(`${url}/__conformance/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const TOKEN_PATH = '/api/oauth/token';

describe('fault hook over HTTP', () => {
  it('injects 503 with Retry-After for count requests, then the endpoint is normal again', async () => {
    const m = await start();
    const added = await postFault(m.url, {
      path: TOKEN_PATH,
      status: 503,
      retryAfterSeconds: 7,
      count: 2,
    });
    expect(added.status).toBe(204);
    expect(added.text).toBe('');

    const listed = await send(`${m.url}/__conformance/faults`);
    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.text)).toEqual([
      {
        path: TOKEN_PATH,
        status: 503,
        retryAfterSeconds: 7,
        retryAfterFormat: 'delta-seconds',
        count: 2,
        delayMs: 0,
      },
    ]);

    for (let i = 0; i < 2; i++) {
      const res = await tokenRequest(m.url, m.accounts.primary);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('7');
      expect(sorted(res.names)).toEqual(sorted([...HEADER_SETS.ok, 'retry-after']));
      expect(res.headers['strict-transport-security']).toBe('max-age=300');
      expect(JSON.parse(res.text).error).toBe('temporarily_unavailable');
    }
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
    expect(JSON.parse((await send(`${m.url}/__conformance/faults`)).text)).toEqual([]);
  });

  it('injects 500 server_error (default count 1, no Retry-After)', async () => {
    const m = await start();
    expect((await postFault(m.url, { path: TOKEN_PATH, status: 500 })).status).toBe(204);
    const res = await tokenRequest(m.url, m.accounts.primary);
    expect(res.status).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(sorted(res.names)).toEqual(sorted(HEADER_SETS.ok));
    expect(JSON.parse(res.text)).toEqual({
      error: 'server_error',
      error_description: 'Unexpected error.',
    });
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
  });

  it('answers faults before authentication and for the probe path too', async () => {
    const m = await start();
    await postFault(m.url, { path: TOKEN_PATH, status: 500 });
    expect((await tokenRequest(m.url)).status).toBe(500);
    await postFault(m.url, { path: '/api/atlas/v2/', status: 503, retryAfterSeconds: 3 });
    const probe = await send(`${m.url}/api/atlas/v2/`);
    expect(probe.status).toBe(503);
    expect(probe.headers['retry-after']).toBe('3');
    expect(JSON.parse(probe.text)).toMatchObject({ error: 503, reason: 'Service Unavailable' });
    expect((await send(`${m.url}/api/atlas/v2/`)).status).toBe(401);
  });

  it('injects 429 rate_limited with Retry-After, in the documented 429 header set', async () => {
    const m = await start();
    expect(
      (await postFault(m.url, { path: TOKEN_PATH, status: 429, retryAfterSeconds: 3 })).status,
    ).toBe(204);
    const res = await tokenRequest(m.url, m.accounts.primary);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(sorted(res.names)).toEqual(sorted([...HEADER_SETS.ok, 'retry-after']));
    expect(JSON.parse(res.text)).toEqual({
      error: 'rate_limited',
      error_description: 'Resource /api/oauth/token is limited to 1000 requests every 1 minutes.',
    });
    const probe = await send(`${m.url}/api/atlas/v2/`);
    expect(probe.status).toBe(401);
    await postFault(m.url, { path: '/api/atlas/v2/', status: 429 });
    const limited = await send(`${m.url}/api/atlas/v2/`);
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text)).toMatchObject({ error: 429, errorCode: 'RATE_LIMITED' });
  });

  it('sends Retry-After as an HTTP-date at least retryAfterSeconds away, on a whole second', async () => {
    const m = await start();
    await postFault(m.url, {
      path: TOKEN_PATH,
      status: 429,
      retryAfterSeconds: 3,
      retryAfterFormat: 'http-date',
    });
    const before = Date.now();
    const res = await tokenRequest(m.url, m.accounts.primary);
    const after = Date.now();
    expect(res.status).toBe(429);
    const value = res.headers['retry-after'] ?? '';
    expect(value).toMatch(
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
    const date = Date.parse(value);
    expect(date % 1000).toBe(0);
    expect(date).toBeGreaterThanOrEqual(before + 3000);
    expect(date).toBeLessThan(after + 4000);
  });

  it('delays a request by delayMs, then handles it as usual (or answers the status given)', async () => {
    const m = await start();
    await postFault(m.url, { path: TOKEN_PATH, delayMs: 300 });
    const started = Date.now();
    const slow = await tokenRequest(m.url, m.accounts.primary);
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const fast = Date.now();
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
    expect(Date.now() - fast).toBeLessThan(250);

    await postFault(m.url, { path: TOKEN_PATH, status: 503, delayMs: 200 });
    const both = Date.now();
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(503);
    expect(Date.now() - both).toBeGreaterThanOrEqual(190);
  });

  it("tokenLifetimeSeconds: the next token lives that long (expires_in, exp - iat, the probe); the rest keep the mock's", async () => {
    const m = await start();
    expect((await postFault(m.url, { path: TOKEN_PATH, tokenLifetimeSeconds: 1 })).status).toBe(
      204,
    );
    const short = JSON.parse((await tokenRequest(m.url, m.accounts.primary)).text);
    const issuedAt = Date.now();
    const long = JSON.parse((await tokenRequest(m.url, m.accounts.primary)).text);
    expect(short.expires_in).toBe(1);
    expect(long.expires_in).toBe(3600);
    const claims = b64urlJson(short.access_token.split('.')[1]);
    expect((claims.exp as number) - (claims.iat as number)).toBe(1);
    const probe = (token: string) =>
      send(`${m.url}/api/atlas/v2/`, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/vnd.atlas.2023-01-01+json',
        },
      });
    expect((await probe(short.access_token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt + 1100 - Date.now())));
    expect((await probe(short.access_token)).status).toBe(401);
    expect((await probe(long.access_token)).status).toBe(200);
    for (const bad of [0, 3601, 1.5, 'x']) {
      const refused = await postFault(m.url, { path: TOKEN_PATH, tokenLifetimeSeconds: bad });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('tokenLifetimeSeconds');
    }
    const both = await postFault(m.url, { path: TOKEN_PATH, status: 500, tokenLifetimeSeconds: 5 });
    expect(both.status).toBe(400);
  });

  it('reset: the request gets no answer, the connection is reset; the next one is handled', async () => {
    const m = await start();
    await postFault(m.url, { path: TOKEN_PATH, reset: true });
    expect(JSON.parse((await send(`${m.url}/__conformance/faults`)).text)).toEqual([
      {
        path: TOKEN_PATH,
        retryAfterSeconds: 1,
        retryAfterFormat: 'delta-seconds',
        count: 1,
        delayMs: 0,
        reset: true,
      },
    ]);
    const error = await tokenRequest(m.url, m.accounts.primary).then(
      () => undefined,
      (e: unknown) => e as NodeJS.ErrnoException,
    );
    expect(error?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET|EPIPE/);
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
  });

  it('DELETE clears pending faults', async () => {
    const m = await start();
    await postFault(m.url, { path: TOKEN_PATH, status: 500, count: 5 });
    const cleared = await send(`${m.url}/__conformance/faults`, { method: 'DELETE' });
    expect(cleared.status).toBe(204);
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
  });

  it('refuses invalid specs with 400 and a message saying what is wrong', async () => {
    const m = await start();
    const cases: [unknown, RegExp][] = [
      ['not json', /JSON/],
      [[1, 2], /object/],
      [{ status: 500 }, /path/],
      [{ path: TOKEN_PATH, status: 404 }, /status/],
      [{ path: TOKEN_PATH, status: 503, retryAfterSeconds: 'soon' }, /retryAfterSeconds/],
      [{ path: TOKEN_PATH, status: 503, retryAfterFormat: 'date' }, /retryAfterFormat/],
      [{ path: TOKEN_PATH, status: 503, count: 0 }, /count/],
      [{ path: TOKEN_PATH, status: 503, colour: 'red' }, /colour/],
      [{ path: TOKEN_PATH }, /status.*delayMs/],
      [{ path: TOKEN_PATH, delayMs: 60_001 }, /delayMs/],
      [{ path: TOKEN_PATH, status: 503, delayMs: -1 }, /delayMs/],
      [{ path: TOKEN_PATH, reset: false }, /reset/],
      [{ path: TOKEN_PATH, status: 503, reset: true }, /reset.*status/],
    ];
    for (const [body, message] of cases) {
      const res = await postFault(m.url, body);
      expect(res.status).toBe(400);
      const error = JSON.parse(res.text);
      expect(error.error).toBe('invalid_fault');
      expect(error.error_description).toMatch(message);
    }
    expect(JSON.parse((await send(`${m.url}/__conformance/faults`)).text)).toEqual([]);
  });

  // Issue 15 item 15: the hook has no authentication, so every number in a spec is bounded.
  it('refuses counts, Retry-Afters and paths past their limits, with 400 and the limit', async () => {
    const m = await start();
    const cases: [unknown, string][] = [
      [
        { path: TOKEN_PATH, status: 500, count: 1e15 },
        `"count" must be an integer from 1 to ${MAX_FAULT_COUNT}`,
      ],
      [
        { path: TOKEN_PATH, status: 500, count: MAX_FAULT_COUNT + 1 },
        `"count" must be an integer from 1 to ${MAX_FAULT_COUNT}`,
      ],
      [
        { path: TOKEN_PATH, status: 503, retryAfterSeconds: 1e21 },
        `"retryAfterSeconds" must be an integer from 0 to ${MAX_FAULT_RETRY_AFTER_SECONDS}`,
      ],
      [
        { path: TOKEN_PATH, status: 503, retryAfterSeconds: MAX_FAULT_RETRY_AFTER_SECONDS + 1 },
        `"retryAfterSeconds" must be an integer from 0 to ${MAX_FAULT_RETRY_AFTER_SECONDS}`,
      ],
      [
        { path: `/${'p'.repeat(MAX_FAULT_PATH_LENGTH)}`, status: 500 },
        `"path" must be at most ${MAX_FAULT_PATH_LENGTH} characters long`,
      ],
    ];
    for (const [body, description] of cases) {
      const res = await postFault(m.url, body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toEqual({
        error: 'invalid_fault',
        error_description: description,
      });
    }
    expect(JSON.parse((await send(`${m.url}/__conformance/faults`)).text)).toEqual([]);
    // The limits themselves are accepted.
    const longest = `/${'p'.repeat(MAX_FAULT_PATH_LENGTH - 1)}`;
    const spec = {
      path: longest,
      status: 503,
      count: MAX_FAULT_COUNT,
      retryAfterSeconds: MAX_FAULT_RETRY_AFTER_SECONDS,
    };
    expect((await postFault(m.url, spec)).status).toBe(204);
    const res = await send(`${m.url}${longest}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe(String(MAX_FAULT_RETRY_AFTER_SECONDS));
  });

  it(`keeps at most ${MAX_PENDING_FAULTS} pending faults; the next is refused until DELETE`, async () => {
    const m = await start();
    for (let i = 0; i < MAX_PENDING_FAULTS; i++) {
      expect((await postFault(m.url, { path: `/p/${i}`, status: 500 })).status).toBe(204);
    }
    const full = await postFault(m.url, { path: TOKEN_PATH, status: 500 });
    expect(full.status).toBe(400);
    expect(JSON.parse(full.text)).toEqual({
      error: 'invalid_fault',
      error_description: `${MAX_PENDING_FAULTS} faults are pending, the most the hook keeps; DELETE /__conformance/faults drops them`,
    });
    expect(JSON.parse((await send(`${m.url}/__conformance/faults`)).text)).toHaveLength(
      MAX_PENDING_FAULTS,
    );
    // Nothing was queued for the token path.
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
    // A fault used up frees its place.
    expect((await send(`${m.url}/p/0`)).status).toBe(500);
    expect((await postFault(m.url, { path: TOKEN_PATH, status: 500 })).status).toBe(204);
    expect((await postFault(m.url, { path: TOKEN_PATH, status: 500 })).status).toBe(400);
    await send(`${m.url}/__conformance/faults`, { method: 'DELETE' });
    expect((await postFault(m.url, { path: TOKEN_PATH, status: 500 })).status).toBe(204);
  });

  it('does not journal or rate-limit its own requests; faulted requests do not count', async () => {
    const m = await start({ rateLimit: { requests: 1, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++) await send(`${m.url}/__conformance/faults`);
    await postFault(m.url, { path: TOKEN_PATH, status: 503, count: 2 });
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(503);
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(503);
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(429);
    const journal = m.journal();
    expect(journal.map((entry) => entry.status)).toEqual([503, 503, 200, 429]);
    expect(journal.every((entry) => entry.path === TOKEN_PATH)).toBe(true);
  });
});

describe('fault hook in process', () => {
  it('injectFault and clearFaults do what the endpoint does', async () => {
    const m = await start();
    m.injectFault({ path: TOKEN_PATH, status: 503, retryAfterSeconds: 2, count: 2 });
    const first = await tokenRequest(m.url, m.accounts.primary);
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('2');
    m.clearFaults();
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);

    m.injectFault({ path: TOKEN_PATH, status: 500 });
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(500);
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
  });

  it('injectFault throws on an invalid spec, and when the queue is full', async () => {
    const m = await start();
    expect(() => m.injectFault({ path: 'no-slash', status: 500 })).toThrow(TypeError);
    expect(() => m.injectFault({ path: TOKEN_PATH, status: 502 as 500 })).toThrow(/status/);
    expect(() => m.injectFault({ path: TOKEN_PATH, status: 500, count: 1e15 })).toThrow(/count/);
    for (let i = 0; i < MAX_PENDING_FAULTS; i++) m.injectFault({ path: `/p/${i}`, status: 500 });
    expect(() => m.injectFault({ path: TOKEN_PATH, status: 500 })).toThrow(RangeError);
    m.clearFaults();
    m.injectFault({ path: TOKEN_PATH, status: 500 });
  });

  it('with faultHook: false the endpoint is a 404, the handle still works', async () => {
    const m = await start({ faultHook: false });
    const res = await postFault(m.url, { path: TOKEN_PATH, status: 500 });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).errorCode).toBe('RESOURCE_NOT_FOUND');
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(200);
    m.injectFault({ path: TOKEN_PATH, status: 500 });
    expect((await tokenRequest(m.url, m.accounts.primary)).status).toBe(500);
  });
});

// Issue 15 item 15: a way to turn the hook off wherever the mock is started.
describe('fault hook off', () => {
  it('startReferenceMock({ faultHook: false }): the hook is a 404; on by default', async () => {
    const off = await startReferenceMock({ faultHook: false });
    const on = await startReferenceMock();
    try {
      const refused = await postFault(off.url, { path: TOKEN_PATH, status: 500 });
      expect(refused.status).toBe(404);
      expect((await tokenRequest(off.url, off.accounts.primary)).status).toBe(200);
      expect((await postFault(on.url, { path: TOKEN_PATH, status: 500 })).status).toBe(204);
      expect((await tokenRequest(on.url, on.accounts.primary)).status).toBe(500);
    } finally {
      await off.stop();
      await on.stop();
    }
  });

  /** `oauth-conformance mock ARGS` until its banner is out: its URL, stdout and stderr so far, a stop. */
  async function mockCli(args: string[]) {
    const child = spawn(process.execPath, [
      packagePath('scripts', 'cli-from-source.js'),
      'mock',
      ...args,
    ]);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match && stdout.includes('press Ctrl-C')) resolve(match[1] ?? '');
      });
      child.once('close', (code) => reject(new Error(`mock exited ${code}: ${stderr}`)));
    });
    const stop = async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('close', resolve));
    };
    return { url, stdout, stderr: () => stderr, stop };
  }

  it('oauth-conformance mock --no-fault-hook: says so, and the hook is a 404', async () => {
    const off = await mockCli(['--no-fault-hook']);
    try {
      expect(off.stdout).toMatch(/^ {2}faults {4}off \(--no-fault-hook\)$/m);
      expect(off.stdout).not.toContain('__conformance');
      expect((await postFault(off.url, { path: TOKEN_PATH, status: 500 })).status).toBe(404);
      expect(off.stderr()).toBe('');
    } finally {
      await off.stop();
    }
    const on = await mockCli([]);
    try {
      expect(on.stdout).toContain(`faults    POST ${on.url}/__conformance/faults`);
      expect((await postFault(on.url, { path: TOKEN_PATH, status: 500 })).status).toBe(204);
      // On loopback the hook is on without a warning.
      expect(on.stderr()).toBe('');
    } finally {
      await on.stop();
    }
  });

  it('warns only for hosts that are not surely loopback', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      'LOCALHOST',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.5',
      'example.com',
      'localhost.example.com',
      '::ffff:10.0.0.1',
      '128.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
