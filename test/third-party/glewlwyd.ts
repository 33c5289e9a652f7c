/**
 * Glewlwyd (Debian package `glewlwyd`, a C single-sign-on server; SQLite back end) as a
 * third-party target for the rfc6749 profile, with its OpenID Connect plugin (the one its docs
 * recommend; the OAuth2 plugin is deprecated): the client_credentials grant, RFC 7009 revocation
 * and RFC 7662 introspection, two confidential clients that authenticate with client_secret_basic.
 *
 * Everything lives in a private temp dir: a SQLite database made from the package's own schema
 * (the dbconfig-common install script, the same as docs/database/init.sqlite3.sql), and a config
 * file that binds 127.0.0.1 on a free port and logs errors only, to the console we capture. The
 * plugin, a scope and the clients are created through Glewlwyd's admin API, as its docs do it
 * (the schema's default `admin`/`password` account), and the admin account is then disabled.
 *
 * The suite reaches Glewlwyd through a small front on its own ephemeral port, because Glewlwyd
 * has no Bearer-protected resource a client_credentials token can call (its userinfo endpoint
 * needs a user). The front passes every request and response through unchanged (status, headers
 * and body bytes), except:
 * - `PROBE_PATH`, a resource probe that asks Glewlwyd's introspection endpoint (RFC 7662, with
 *   each client's own credentials) whether the Bearer token is active: 200 if Glewlwyd says so,
 *   401 with a Bearer challenge otherwise. So the probe reports Glewlwyd's own view of a token,
 *   revocation included.
 *
 * Glewlwyd refuses every client_credentials request without a `scope` (403, empty body): the
 * suite sends the one its clients may ask for ({@link GLEWLWYD_SCOPE}) when the config says so
 * (`tokenRequestParameters`), and the self-tests run it both ways.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, startProcess } from './process.ts';
import { CLIENT_IDS, reservedCharacterSecret, type ThirdPartyTarget } from './target.ts';

const GLEWLWYD = '/usr/bin/glewlwyd';
const SQLITE3 = '/usr/bin/sqlite3';
const SCHEMA = '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3';
const MODULES = '/usr/lib/glewlwyd';
/** The OIDC plugin's instance name: its endpoints live under /api/<name>/. */
const PLUGIN = 'oidc';
const TOKEN_PATH = `/api/${PLUGIN}/token`;
const REVOKE_PATH = `/api/${PLUGIN}/revoke`;
const INTROSPECT_PATH = `/api/${PLUGIN}/introspect`;
const PROBE_PATH = '/conformance/resource';
/** The scope each client may ask for: the config's tokenRequestParameters name it. */
export const GLEWLWYD_SCOPE = 'conformance';
const SCOPE = GLEWLWYD_SCOPE;
const MAX_BODY_BYTES = 1024 * 1024;

/** Why Glewlwyd cannot run on this machine, or undefined when it can. */
export function glewlwydMissing(): string | undefined {
  for (const [path, what] of [
    [GLEWLWYD, 'the glewlwyd program'],
    [SQLITE3, 'sqlite3 (a dependency of glewlwyd)'],
    [SCHEMA, "glewlwyd's SQLite schema"],
    [join(MODULES, 'plugin', 'libprotocol_oidc.so'), "glewlwyd's OIDC plugin"],
  ] as const) {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      return `${path} is missing: ${what} (Debian glewlwyd; .ci/run installs it)`;
    }
  }
  return undefined;
}

/** A port no one listens on now (there is a short race until Glewlwyd binds it; start() retries). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function config(port: number, database: string): string {
  // libconfig syntax. Only what differs from the defaults, and no use_secure_connection at all:
  // Glewlwyd 2.7.5 demands certificate files whenever that key is present, even set to false.
  return `port=${port}
bind_address="127.0.0.1"
external_url="http://127.0.0.1:${port}"
login_url="login.html"
api_prefix="api"
log_mode="console"
log_level="ERROR"
cookie_secure=0
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="${MODULES}/user"
client_module_path="${MODULES}/client"
user_auth_scheme_module_path="${MODULES}/scheme"
plugin_module_path="${MODULES}/plugin"
hash_algorithm="SHA512"
database =
{
  type = "sqlite3"
  path = "${database}"
};
`;
}

/** Polls GET /config/ until Glewlwyd answers 200, the process exits, or the time is up. */
async function waitUntilUp(base: string, server: ServerProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) {
      throw new Error(`glewlwyd exited with status ${server.child.exitCode}: ${server.output()}`);
    }
    const up = await fetch(`${base}/config/`)
      .then((r) => r.ok)
      .catch(() => false);
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`glewlwyd did not answer within ${timeoutMs} ms: ${server.output()}`);
}

/** One admin API call; throws with Glewlwyd's answer when it is not 200. */
async function admin(base: string, cookie: string, method: string, path: string, body: unknown) {
  const response = await fetch(`${base}/api${path}`, {
    method,
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) {
    throw new Error(`glewlwyd ${method} /api${path}: ${response.status} ${await response.text()}`);
  }
}

async function configure(base: string, accounts: ThirdPartyTarget['accounts']): Promise<void> {
  const login = await fetch(`${base}/api/auth/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'password' }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0])
    .join('; ');
  if (login.status !== 200 || !cookie) {
    throw new Error(`glewlwyd admin login: ${login.status} ${await login.text()}`);
  }
  await admin(base, cookie, 'POST', '/scope/', {
    name: SCOPE,
    display_name: 'oauth-conformance',
    description: 'The scope the conformance clients may ask for',
    password_required: false,
    scheme: {},
  });
  await admin(base, cookie, 'POST', '/mod/plugin/', {
    module: 'oidc',
    name: PLUGIN,
    display_name: 'OpenID Connect',
    enabled: true,
    parameters: {
      iss: base,
      'jwt-type': 'sha',
      'jwt-key-size': '256',
      key: randomBytes(32).toString('hex'),
      'access-token-duration': 3600,
      'refresh-token-duration': 1209600,
      'code-duration': 600,
      'allow-non-oidc': true,
      'auth-type-client-enabled': true,
      'auth-type-code-enabled': false,
      'auth-type-implicit-enabled': false,
      'auth-type-password-enabled': false,
      'auth-type-refresh-enabled': false,
      // RFC 7009 revocation and RFC 7662 introspection, each client for its own tokens.
      'introspection-revocation-allowed': true,
      'introspection-revocation-allow-target-client': true,
    },
  });
  for (const { clientId, clientSecret } of Object.values(accounts)) {
    await admin(base, cookie, 'POST', '/client/', {
      client_id: clientId,
      name: clientId,
      confidential: true,
      password: clientSecret,
      enabled: true,
      scope: [SCOPE],
      authorization_type: ['client_credentials'],
      token_endpoint_auth_method: ['client_secret_basic'],
    });
  }
  // The schema's admin password is public: nothing may use it once the setup is done.
  await admin(base, cookie, 'PUT', '/user/admin', {
    username: 'admin',
    scope: [],
    enabled: false,
  });
}

/** Asks Glewlwyd (RFC 7662) whether `token` is active for either client. */
async function isActive(
  base: string,
  accounts: ThirdPartyTarget['accounts'],
  token: string,
): Promise<boolean> {
  for (const { clientId, clientSecret } of Object.values(accounts)) {
    const response = await fetch(`${base}${INTROSPECT_PATH}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    const body = response.ok ? ((await response.json()) as { active?: unknown }) : {};
    if (body.active === true) return true;
  }
  return false;
}

async function answerProbe(
  base: string,
  accounts: ThirdPartyTarget['accounts'],
  req: IncomingMessage,
  res: ServerResponse,
) {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (token && (await isActive(base, accounts, token))) {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  res
    .writeHead(401, {
      'content-type': 'application/json',
      'www-authenticate': 'Bearer error="invalid_token"',
    })
    .end('{"error":"invalid_token"}');
}

/** The request body, or undefined past MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Passes one request to Glewlwyd and its answer back, status, headers and bytes unchanged. */
async function forward(upstreamPort: number, req: IncomingMessage, res: ServerResponse) {
  const body = await readBody(req);
  if (body === undefined) {
    res.writeHead(413).end();
    return;
  }
  const path = req.url ?? '/';
  const headers = { ...req.headers };
  const upstream = httpRequest({
    host: '127.0.0.1',
    port: upstreamPort,
    method: req.method,
    path,
    headers,
  });
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  upstream.end(body);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function startGlewlwydProcess(dir: string): Promise<{ server: ServerProcess; port: number }> {
  const database = join(dir, 'glewlwyd.db');
  execFileSync(SQLITE3, [database], {
    input: readFileSync(SCHEMA),
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let lastError: unknown;
  // The free port can be taken between the check and Glewlwyd's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const file = join(dir, 'glewlwyd.conf');
    writeFileSync(file, config(port, database));
    const { process: server } = await startProcess(GLEWLWYD, [`--config-file=${file}`], {
      timeoutMs: 10_000,
    });
    try {
      await waitUntilUp(`http://127.0.0.1:${port}`, server, 30_000);
      return { server, port };
    } catch (error) {
      lastError = error;
      await server.stop();
    }
  }
  throw lastError;
}

/**
 * Starts Glewlwyd in a fresh temp dir, sets it up (plugin, scope, two clients) and starts its
 * front; `close()` stops both and removes the dir.
 *
 * @throws Error with Glewlwyd's last output, or the admin API's answer, when a step fails; nothing
 *   is left running then.
 */
export async function startGlewlwyd(): Promise<ThirdPartyTarget> {
  const accounts = {
    primary: { clientId: CLIENT_IDS.primary, clientSecret: reservedCharacterSecret() },
    secondary: { clientId: CLIENT_IDS.secondary, clientSecret: reservedCharacterSecret() },
  };
  const dir = mkdtempSync(join(tmpdir(), 'oauth-conformance-glewlwyd-'));
  let glewlwyd: ServerProcess | undefined;
  try {
    const started = await startGlewlwydProcess(dir);
    glewlwyd = started.server;
    const base = `http://127.0.0.1:${started.port}`;
    await configure(base, accounts);
    const front = createServer((req, res) => {
      const done =
        req.url?.split('?', 1)[0] === PROBE_PATH
          ? answerProbe(base, accounts, req, res)
          : forward(started.port, req, res);
      done.catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    });
    const port = await listen(front);
    const server = glewlwyd;
    return {
      url: `http://127.0.0.1:${port}`,
      accounts,
      tokenPath: TOKEN_PATH,
      revokePath: REVOKE_PATH,
      probePath: PROBE_PATH,
      close: async () => {
        await new Promise<void>((resolve) => {
          front.close(() => resolve());
          front.closeAllConnections();
        });
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await glewlwyd?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
