// Service-account client built on openid-client v6 with client_secret_basic. It keeps its token
// until expiresIn() says it is (nearly) expired or a call answers 401 (then retries that call
// once with a new token), and revokes it with tokenRevocation() when REVOKE_AT_END=1.
// Run from anywhere inside the repo (see README.md): node examples/clients/node-openid-client/client.mjs
import * as client from 'openid-client';

const env = process.env;
const calls = Number.parseInt(env.CALLS ?? '1', 10);
const intervalMs = Number.parseInt(env.CALL_INTERVAL_MS ?? '0', 10);
const expiryWindowSeconds = 30;

const config = new client.Configuration(
  {
    issuer: env.OAUTH_BASE_URL,
    token_endpoint: env.OAUTH_TOKEN_URL,
    revocation_endpoint: env.OAUTH_REVOKE_URL,
  },
  env.MONGODB_ATLAS_CLIENT_ID,
  {},
  client.ClientSecretBasic(env.MONGODB_ATLAS_CLIENT_SECRET),
);
// openid-client refuses http:// endpoints; the local mock serves plain http on loopback.
if (new URL(env.OAUTH_TOKEN_URL).protocol === 'http:') client.allowInsecureRequests(config);

let tokens;

async function currentToken() {
  const expiresIn = tokens?.expiresIn();
  if (!tokens || (expiresIn !== undefined && expiresIn <= expiryWindowSeconds)) {
    tokens = await client.clientCredentialsGrant(config);
  }
  return tokens.access_token;
}

async function callResource() {
  const get = async () => {
    const response = await fetch(env.RESOURCE_URL, {
      headers: {
        Authorization: `Bearer ${await currentToken()}`,
        Accept: 'application/vnd.atlas.2023-01-01+json',
      },
    });
    await response.arrayBuffer();
    return response.status;
  };
  let status = await get();
  if (status === 401) {
    tokens = undefined;
    status = await get();
  }
  return status;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Message, status and OAuth error code only: nothing that could hold a credential or token.
function fail(step, error) {
  const details = [error.status, error.error].filter((d) => d !== undefined).join(' ');
  console.error(`error during ${step}: ${error.message}${details ? ` (${details})` : ''}`);
  process.exit(1);
}

for (let i = 1; i <= calls; i++) {
  let status;
  try {
    status = await callResource();
  } catch (error) {
    fail(`call ${i}/${calls}`, error);
  }
  console.log(`call ${i}/${calls}: ${status}`);
  if (status !== 200) {
    console.error(`error: call ${i}/${calls} answered ${status}`);
    process.exit(1);
  }
  if (i < calls) await sleep(intervalMs);
}

if (env.REVOKE_AT_END === '1') {
  try {
    await client.tokenRevocation(config, await currentToken(), {
      token_type_hint: 'access_token',
    });
  } catch (error) {
    fail('revocation', error);
  }
  console.log('revoked');
}
