// Hostile and broken targets on 127.0.0.1: each run ends in bounded time with failing testcases
// that say why, the report written, and the right exit status. Nothing here leaves loopback.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runSuite, tempDir } from './support/cli.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

/** A server that answers the reachability check (GET /) and misbehaves on everything else. */
async function misbehaving(
  onRequest: Handler,
  server: Server = createHttpServer(),
): Promise<string> {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    onRequest(req, res);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

const FAST = {
  accounts: {
    primary: {
      clientId: 'mdb_sa_id_0123456789abcdef01234567',
      clientSecret: 'hostile-target-secret-0001',
    },
  },
  rateLimit: { requests: 10, windowSeconds: 1 },
  revokeRateLimit: { requests: 10, windowSeconds: 1 },
  timeoutSeconds: 1,
  revocationWaitSeconds: 1,
  deadlineSeconds: 90,
};

/**
 * Every run here ends within its deadline (90 s) and in practice far sooner (the breaker stops a
 * dead target after 3 requests); the bound leaves room for start-up and reports on a loaded 2-core
 * machine, and is still far below what a run without the breaker would take (a timeout per request).
 */
const BOUND_SECONDS = 150;

async function runAgainst(name: string, url: string, args: string[] = []) {
  const started = Date.now();
  const result = await runSuite(name, url, FAST, args);
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** How many testcases were not judged because their requests were never sent (the breaker). */
function notSent(cases: { state: string; properties: Record<string, string> }[]): number {
  return cases.filter(
    (c) =>
      c.state === 'skipped' &&
      /not sent: the target failed to answer 3 requests in a row/.test(c.properties.skipped ?? ''),
  ).length;
}

function failures(cases: { state: string; failure?: string }[]): string {
  return cases
    .filter((c) => c.state === 'failed')
    .map((c) => c.failure ?? '')
    .join('\n');
}

// Eight full runs at once: the margin holds on a loaded 2-core machine.
describe.concurrent('hostile targets', { timeout: 180_000 }, () => {
  test('a server that never answers: timeouts, then the breaker; bounded, report written', async () => {
    const url = await misbehaving(() => {});
    const run = await runAgainst('hang', url);
    // What timed out failed; what was never sent is not judged, and the run is incomplete: exit 3.
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(
      /incomplete: \d+ testcase\(s\) not judged because their requests were never sent/,
    );
    expect(run.cases.length).toBeGreaterThan(50);
    expect(run.cases.find((c) => c.name === 'token.200.status [client_credentials]')?.state).toBe(
      'failed',
    );
    const text = failures(run.cases);
    expect(text).toMatch(/no response: (UND_ERR_HEADERS_TIMEOUT|TimeoutError) /);
    expect(text).not.toContain('not sent');
    expect(notSent(run.cases)).toBeGreaterThan(10);
    expect(run.seconds).toBeLessThan(BOUND_SECONDS);
  });

  test('a server that resets every connection', async () => {
    const url = await misbehaving((req) => req.socket.destroy());
    const run = await runAgainst('reset', url);
    expect(run.code).toBe(3);
    expect(failures(run.cases)).toMatch(/no response: (UND_ERR_SOCKET|ECONNRESET)/);
    expect(notSent(run.cases)).toBeGreaterThan(10);
    expect(run.seconds).toBeLessThan(BOUND_SECONDS);
  });

  test('an HTML login page instead of JSON', async () => {
    const url = await misbehaving((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!DOCTYPE html><form action="/login">Sign in</form>');
    });
    const run = await runAgainst('html', url);
    expect(run.code).toBe(1);
    const success = run.cases.find((c) => c.name === 'token.200.body [client_credentials]');
    expect(success?.failure).toContain('the body is not JSON');
    expect(
      run.cases.find((c) => c.name === 'token.invalid_client.401 [wrong secret]')?.failure,
    ).toContain('expected 401 invalid_client, got 200 with the body is not JSON');
  });

  test('a body of hundreds of megabytes is read only up to the cap', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const url = await misbehaving((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const pump = () => {
        while (sent < 300 && res.write(chunk)) sent += 1;
        if (sent >= 300) res.end();
        else res.once('drain', pump);
      };
      pump();
    });
    const run = await runAgainst('huge', url);
    expect(run.code).toBe(1);
    expect(failures(run.cases)).toContain('< … (body cut at the read cap)');
    expect(run.seconds).toBeLessThan(BOUND_SECONDS);
  });

  test('a slow drip of bytes ends at the request timeout', async () => {
    const url = await misbehaving((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
    });
    const run = await runAgainst('drip', url);
    expect(run.code).toBe(3);
    expect(notSent(run.cases)).toBeGreaterThan(10);
    expect(failures(run.cases)).toMatch(
      /no response: (TimeoutError|UND_ERR_BODY_TIMEOUT|AbortError)/,
    );
    expect(run.seconds).toBeLessThan(BOUND_SECONDS);
  });

  test('a redirect is a finding, and never followed', async () => {
    let followed = false;
    const url = await misbehaving((req, res) => {
      if (req.url?.startsWith('/steal')) followed = true;
      res.writeHead(302, { location: '/steal' }).end();
    });
    const run = await runAgainst('redirect', url);
    expect(run.code).toBe(1);
    expect(
      run.cases.find((c) => c.name === 'token.200.status [client_credentials]')?.failure,
    ).toContain(
      'expected status 200, got 302 (a redirect to "/steal"; never followed, so credentials do not travel along it)',
    );
    expect(followed).toBe(false);
  });

  test('plain http to a host that is not loopback needs --allow-insecure-http', async () => {
    const url = await misbehaving((_req, res) => res.writeHead(404).end());
    const port = new URL(url).port;
    // An IPv4-mapped IPv6 address: loopback in fact, but not by the suite's rule, so it stands in
    // for a remote host without any traffic leaving this machine.
    const mapped = `http://[::ffff:127.0.0.1]:${port}`;
    const refused = await runSuite('insecure-refused', mapped, FAST);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /refusing to send credentials over plain http .* --allow-insecure-http/,
    );
    const allowed = await runAgainst('insecure-allowed', mapped, ['--allow-insecure-http']);
    expect(allowed.code).toBe(1);
    expect(allowed.cases.length).toBeGreaterThan(50);
  });

  test.skipIf(!existsSync('/usr/bin/openssl'))(
    'a private CA: refused without --ca (exit 3), trusted with it',
    async () => {
      const dir = tempDir('ca');
      execFileSync(
        '/usr/bin/openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const server = createHttpsServer({
        key: readFileSync(join(dir, 'key.pem')),
        cert: readFileSync(join(dir, 'cert.pem')),
      });
      const url = (await misbehaving((_req, res) => res.writeHead(404).end(), server)).replace(
        /^http:/,
        'https:',
      );
      const untrusted = await runSuite('ca-untrusted', url, FAST);
      expect(untrusted.code).toBe(3);
      expect(untrusted.stderr).toMatch(/self.signed|unable to verify|DEPTH_ZERO_SELF_SIGNED_CERT/i);
      expect(untrusted.cases.map((c) => c.name)).toEqual(['target.reachable [tls]']);
      const trusted = await runAgainst('ca-trusted', url, ['--ca', join(dir, 'cert.pem')]);
      expect(trusted.code).toBe(1);
      expect(trusted.cases.length).toBeGreaterThan(50);
    },
  );
});
