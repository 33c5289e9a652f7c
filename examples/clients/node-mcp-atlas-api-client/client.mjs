// Service-account client on MongoDB's own Atlas API client, @mongodb-js/mcp-atlas-api-client (the
// Atlas client of MongoDB's MCP server, built on oauth4webapi), configured the way its types
// describe: an auth provider from AuthProviderFactory, then an ApiClient that lists
// organizations (GET /api/atlas/v2/orgs, one of the reference mock's probe aliases) CALLS times.
// Token handling is the library's own: it keeps its token until expires_in has passed, sends a
// call without a token when it could not get one, and revokes the token on close(). The program
// adds nothing to it (no retry, no renewal on 401).
// Run from anywhere inside the repo (see README.md): node examples/clients/node-mcp-atlas-api-client/client.mjs
import { ApiClient, AuthProviderFactory } from '@mongodb-js/mcp-atlas-api-client';

const env = process.env;
const calls = Number.parseInt(env.CALLS ?? '1', 10);
const intervalMs = Number.parseInt(env.CALL_INTERVAL_MS ?? '0', 10);

// The library cannot be pointed at a plain-http base URL: its token and revocation requests go
// through oauth4webapi without allowInsecureRequests, which refuses anything but https. On
// loopback only, the library is given the https form of the mock's base URL and every fetch
// (the injected one it uses for tokens and Admin API calls, and the global one its revocation
// uses) is sent to the mock's http origin instead. Nothing else about the requests changes.
let baseUrl = env.OAUTH_BASE_URL;
const mockOrigin = new URL(baseUrl).origin;
if (/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(baseUrl)) {
  const tlsOrigin = mockOrigin.replace(/^http:/, 'https:');
  baseUrl = `${tlsOrigin}/`;
  const platformFetch = globalThis.fetch;
  const toMock = (url) =>
    url.startsWith(tlsOrigin) ? mockOrigin + url.slice(tlsOrigin.length) : url;
  globalThis.fetch = (input, init) => {
    if (input instanceof Request) {
      const url = toMock(input.url);
      return platformFetch(url === input.url ? input : new Request(url, input), init);
    }
    return platformFetch(toMock(input instanceof URL ? input.href : String(input)), init);
  };
}
const httpClient = { fetch: (input, init) => globalThis.fetch(input, init), Request };

// The library logs (never throws) when it cannot get or revoke a token. Its messages are
// oauth4webapi's error messages: no credential or token in them.
const levels = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
const logger = {
  log: (level, payload) => console.error(`[${level}] ${payload.context}: ${payload.message}`),
  flush: async () => [],
};
for (const level of levels) logger[level] = (payload) => logger.log(level, payload);

const userAgent = 'oauth-conformance-example/1.0';
const authProvider = AuthProviderFactory.create(
  {
    apiBaseUrl: baseUrl,
    userAgent,
    credentials: {
      clientId: env.MONGODB_ATLAS_CLIENT_ID,
      clientSecret: env.MONGODB_ATLAS_CLIENT_SECRET,
    },
    httpClient,
  },
  logger,
);
const apiClient = new ApiClient({
  options: { baseUrl, userAgent, httpClient },
  logger,
  authProvider,
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ApiClientError's message is "[status text] error calling Atlas API: reason; detail", from the
// response body: no credential or token.
function fail(step, error) {
  console.error(`error during ${step}: ${error.message}`);
  process.exit(1);
}

for (let i = 1; i <= calls; i++) {
  let orgs;
  try {
    orgs = await apiClient.listOrgs();
  } catch (error) {
    fail(`call ${i}/${calls}`, error);
  }
  console.log(`call ${i}/${calls}: 200 (${orgs?.totalCount ?? 0} organizations)`);
  if (i < calls) await sleep(intervalMs);
}

if (env.REVOKE_AT_END === '1') {
  // close() revokes the token it holds (and logs, not throws, if that fails).
  await apiClient.close();
  console.log('revoked');
}
