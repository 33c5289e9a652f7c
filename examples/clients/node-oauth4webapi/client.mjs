// Service-account client on oauth4webapi v3 used directly, with client_secret_basic as its docs
// show (ClientSecretBasic, clientCredentialsGrantRequest, processClientCredentialsResponse). The
// library leaves token keeping to the program: this one keeps its token until it is within 30 s of
// expiry or a call answers 401 (then retries that call once with a new token), and revokes it
// with revocationRequest when REVOKE_AT_END=1. Known finding, not worked around: ClientSecretBasic
// form-encodes the id and secret before Basic encoding (RFC 6749 §2.3.1), so `_` becomes `%5F`.
// Run from anywhere inside the repo (see README.md): node examples/clients/node-oauth4webapi/client.mjs
import * as oauth from 'oauth4webapi';

const env = process.env;
const calls = Number.parseInt(env.CALLS ?? '1', 10);
const intervalMs = Number.parseInt(env.CALL_INTERVAL_MS ?? '0', 10);
const expiryWindowMs = 30_000;

const as = {
  issuer: env.OAUTH_BASE_URL,
  token_endpoint: env.OAUTH_TOKEN_URL,
  revocation_endpoint: env.OAUTH_REVOKE_URL,
};
const client = { client_id: env.MONGODB_ATLAS_CLIENT_ID };
const clientAuth = oauth.ClientSecretBasic(env.MONGODB_ATLAS_CLIENT_SECRET);
// oauth4webapi refuses http:// endpoints unless told otherwise; the local mock serves plain http
// on loopback.
const options =
  new URL(env.OAUTH_TOKEN_URL).protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};

let token;
let expiresAt = 0;

async function currentToken() {
  if (!token || expiresAt - Date.now() <= expiryWindowMs) {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      clientAuth,
      new URLSearchParams(),
      options,
    );
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    token = result.access_token;
    expiresAt = Date.now() + (result.expires_in ?? 0) * 1000;
  }
  return token;
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
    token = undefined;
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
    const response = await oauth.revocationRequest(as, client, clientAuth, await currentToken(), {
      ...options,
      additionalParameters: { token_type_hint: 'access_token' },
    });
    await oauth.processRevocationResponse(response);
  } catch (error) {
    fail('revocation', error);
  }
  console.log('revoked');
}
