// A deliberately careless client. It exists to prove that the harness judges it failing:
//  - it requests a NEW token for every resource call and never reuses one;
//  - when the token endpoint answers 429 or 503 it ignores Retry-After and retries at once
//    (at most 3 retries, so it stays bounded; 400 and 401 are not retried).
// Everything else is done correctly: HTTP Basic with the raw id and secret, a form body, no
// credentials in the URL, revocation with REVOKE_AT_END=1, exit 1 on any failure.
// Run from anywhere inside the repo (see README.md): node examples/clients/careless/client.mjs
const env = process.env;
const calls = Number.parseInt(env.CALLS ?? '1', 10);
const intervalMs = Number.parseInt(env.CALL_INTERVAL_MS ?? '0', 10);
const basic = `Basic ${Buffer.from(
  `${env.MONGODB_ATLAS_CLIENT_ID}:${env.MONGODB_ATLAS_CLIENT_SECRET}`,
).toString('base64')}`;
const maxRetries = 3;

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

async function getToken() {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(env.OAUTH_TOKEN_URL, {
      method: 'POST',
      headers: { Authorization: basic, Accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    if ((response.status === 429 || response.status === 503) && attempt < maxRetries) {
      await response.arrayBuffer();
      console.log(`token request answered ${response.status}, retrying now`);
      continue;
    }
    if (response.status !== 200) {
      await response.arrayBuffer();
      throw new Error(`token request answered ${response.status}`);
    }
    const { access_token: token } = await response.json();
    if (typeof token !== 'string' || token === '') throw new Error('no access_token in answer');
    return token;
  }
}

async function callResource(token) {
  const response = await fetch(env.RESOURCE_URL, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.atlas.2023-01-01+json' },
  });
  await response.arrayBuffer();
  return response.status;
}

async function revoke(token) {
  const response = await fetch(env.OAUTH_REVOKE_URL, {
    method: 'POST',
    headers: { Authorization: basic },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`revocation answered ${response.status}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let token;
let failed = 0;
try {
  for (let i = 1; i <= calls; i++) {
    token = await getToken();
    const status = await callResource(token);
    console.log(`call ${i}/${calls}: ${status}`);
    // A 401 needs nothing special: the next call gets a new token anyway.
    if (status !== 200) failed++;
    if (i < calls) await sleep(intervalMs);
  }
  if (env.REVOKE_AT_END === '1') {
    await revoke(token ?? (await getToken()));
    console.log('revoked');
  }
} catch (error) {
  // Only the message: it never holds the Basic header or a token.
  fail(error.message);
}
if (failed > 0) fail(`${failed} of ${calls} calls did not answer 200`);
