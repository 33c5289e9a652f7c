// Service-account client written the way MongoDB's tutorial writes it: simple-oauth2 gets the
// token, axios calls the Admin API. Following the tutorial's advice it keeps its token and gets a
// new one when the token has expired or a call answers 401 (then retries that call once).
// Run from anywhere inside the repo (see README.md): node examples/clients/node-simple-oauth2/client.mjs
import axios from 'axios';
import { ClientCredentials } from 'simple-oauth2';

const env = process.env;
const calls = Number.parseInt(env.CALLS ?? '1', 10);
const intervalMs = Number.parseInt(env.CALL_INTERVAL_MS ?? '0', 10);

const oauth2Client = new ClientCredentials({
  client: { id: env.MONGODB_ATLAS_CLIENT_ID, secret: env.MONGODB_ATLAS_CLIENT_SECRET },
  auth: {
    tokenHost: env.OAUTH_BASE_URL,
    tokenPath: '/api/oauth/token',
    revokePath: '/api/oauth/revoke',
  },
});

let accessToken;

async function currentToken() {
  if (!accessToken || accessToken.expired()) {
    accessToken = await oauth2Client.getToken({});
  }
  return accessToken.token.access_token;
}

async function callResource() {
  const get = async () =>
    axios.get(env.RESOURCE_URL, {
      headers: {
        Authorization: `Bearer ${await currentToken()}`,
        Accept: 'application/vnd.atlas.2023-01-01+json',
      },
      validateStatus: () => true,
    });
  let response = await get();
  if (response.status === 401) {
    accessToken = undefined;
    response = await get();
  }
  return response.status;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Only the message: axios and wreck errors carry the request, Authorization header included.
function fail(step, error) {
  console.error(`error during ${step}: ${error.message}`);
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
    await currentToken(); // CALLS=0 leaves no token yet
    await accessToken.revoke('access_token');
  } catch (error) {
    fail('revocation', error);
  }
  console.log('revoked');
}
