/**
 * One server under test, alone in its process, for the throughput bench (bench/throughput.ts):
 * the bench forks this file once per server, so that no server shares an event loop with another
 * or with the load generator. The argument names the server: `mock:ES512`, `mock:ES256`,
 * `mock:EdDSA`, `mock:opaque`, `oidc-provider`, `oauth2-mock-server`, or `node-http`: a bare
 * node:http server that answers every request with the probe's body and nothing else, the floor
 * that any Node server's requests/s sits under on this machine and this load.
 *
 * Over the IPC channel it sends `{ targets }` once listening (what to send each endpoint under
 * test; the Basic and Bearer values stay between the two processes), then answers `'cpu'` with
 * `{ cpu }`, this process's CPU time so far in µs (user + system, every thread: the server and
 * its signing pool), and stops on `'close'` (or when its parent goes away). 127.0.0.1 only,
 * ephemeral ports.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMock, TOKEN_FORMATS, type TokenFormat } from '../src/mock/index.ts';
import { PROBE_BODY } from '../src/mock/probe.ts';
import { basicCredentials } from '../src/shared/redact.ts';

/** What the load generator sends to one endpoint of a server under test. */
export interface ServedTarget {
  target: string;
  tokenFormat?: TokenFormat;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The message this process sends once its server listens. */
export interface ServeReady {
  targets: ServedTarget[];
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CC = 'grant_type=client_credentials';

/** The mock's token endpoint with one token format, and (for ES512) its probe. */
async function mockTargets(
  tokenFormat: TokenFormat,
): Promise<{ targets: ServedTarget[]; close: () => Promise<void> }> {
  // No limits: this measures the server, not its rate limiter.
  const mock = await startMock({
    rateLimit: { requests: 1e9, windowSeconds: 1 },
    maxActiveTokens: 1e9,
    tokenFormat,
  });
  const { clientId, clientSecret } = mock.accounts.primary;
  const auth = { authorization: `Basic ${basicCredentials(clientId, clientSecret)}` };
  const label = tokenFormat === 'ES512' ? 'ES512, faithful' : `${tokenFormat}, load mode`;
  const targets: ServedTarget[] = [
    {
      target: `reference mock (${label}): POST /api/oauth/token`,
      tokenFormat,
      url: `${mock.url}/api/oauth/token`,
      headers: { ...FORM, ...auth },
      body: CC,
    },
  ];
  if (tokenFormat === 'ES512') {
    const token = (await (
      await fetch(`${mock.url}/api/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, ...auth },
        body: CC,
      })
    ).json()) as { access_token: string };
    targets.push({
      target: 'reference mock: GET /api/atlas/v2/ (probe)',
      url: `${mock.url}/api/atlas/v2/`,
      headers: { authorization: `Bearer ${token.access_token}` },
    });
  }
  return { targets, close: () => mock.close() };
}

async function start(
  name: string,
): Promise<{ targets: ServedTarget[]; close: () => Promise<void> }> {
  const format = name.startsWith('mock:') ? name.slice('mock:'.length) : undefined;
  if (format !== undefined) {
    if (!TOKEN_FORMATS.includes(format as TokenFormat))
      throw new TypeError(`unknown token format ${format}: one of ${TOKEN_FORMATS.join(', ')}`);
    return mockTargets(format as TokenFormat);
  }
  // Each process loads only its own server's code.
  if (name === 'oidc-provider') {
    const { startOidcProvider } = await import('../test/third-party/oidc-provider.ts');
    const provider = await startOidcProvider();
    const auth = basicCredentials(
      provider.accounts.primary.clientId,
      provider.accounts.primary.clientSecret,
    );
    return {
      targets: [
        {
          target: 'node-oidc-provider 8: POST /token',
          url: `${provider.url}${provider.tokenPath}`,
          headers: { ...FORM, authorization: `Basic ${auth}` },
          body: CC,
        },
      ],
      close: () => provider.close(),
    };
  }
  if (name === 'oauth2-mock-server') {
    const { startOAuth2MockServer } = await import('../test/third-party/oauth2-mock-server.ts');
    const server = await startOAuth2MockServer();
    return {
      targets: [
        {
          target: 'oauth2-mock-server 7: POST /token',
          url: `${server.url}${server.tokenPath}`,
          headers: { ...FORM, authorization: `Basic ${basicCredentials('bench', 'bench-secret')}` },
          body: CC,
        },
      ],
      close: () => server.close(),
    };
  }
  if (name === 'node-http') {
    const body = JSON.stringify(PROBE_BODY);
    const server = createServer((_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      targets: [
        {
          target: 'bare node:http, a fixed JSON body (the floor)',
          url: `http://127.0.0.1:${port}/api/atlas/v2/`,
          headers: {},
        },
      ],
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }
  throw new TypeError(
    `unknown server ${name}: mock:<format>, oidc-provider, oauth2-mock-server or node-http`,
  );
}

if (!process.send) {
  process.stderr.write('bench/serve.ts runs as a child of the bench (an IPC channel)\n');
  process.exit(2);
}
const served = await start(process.argv[2] ?? '');
const send = (message: unknown) => process.send?.(message);
let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await served.close();
  process.disconnect?.();
  process.exit(0);
};
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    send({ cpu: user + system });
  } else if (message === 'close') void stop();
});
process.on('disconnect', () => void stop());
send({ targets: served.targets } satisfies ServeReady);
