// A correct sequential client (kit.mjs's) whose wait after 429 or 503 is one of the ways real
// code reads Retry-After:
//   from-send     delta-seconds counted from when the request was SENT (not when the answer came)
//   date-floor    an HTTP-date read to the second, "now" truncated to the second (time(NULL))
//   date-round    an HTTP-date, "now" rounded to the nearest second
//   date-header   an HTTP-date taken relative to the response's Date header (both to the second)
//   jitter        ignores Retry-After, waits a random 0.5 to 5 s (full-jitter backoff); prints it
// Usage: node waits.mjs MODE
import { callResource, calls, fail, intervalMs, sleep } from '../../test/fixtures/clients/kit.mjs';

const env = process.env;
const basic = `Basic ${Buffer.from(`${env.MONGODB_ATLAS_CLIENT_ID}:${env.MONGODB_ATLAS_CLIENT_SECRET}`).toString('base64')}`;
const mode = process.argv[2];

function waitFor(response, sentAt) {
  const value = response.headers.get('retry-after')?.trim() ?? '';
  const delta = /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
  const date = delta === undefined ? Date.parse(value) : undefined;
  switch (mode) {
    case 'from-send':
      return delta !== undefined ? sentAt + delta - Date.now() : date - Date.now();
    case 'date-floor':
      return delta ?? date - Math.floor(Date.now() / 1000) * 1000;
    case 'date-round':
      return delta ?? date - Math.round(Date.now() / 1000) * 1000;
    case 'date-header':
      return delta ?? date - Date.parse(response.headers.get('date'));
    case 'jitter':
      return 500 + Math.random() * 4500;
    default:
      fail(`unknown mode ${mode}`);
  }
}

async function requestToken() {
  for (let attempt = 1; attempt <= 4; attempt++) {
    const sentAt = Date.now();
    const response = await fetch(env.OAUTH_TOKEN_URL, {
      method: 'POST',
      headers: { Authorization: basic, Accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    if (response.status === 429 || response.status === 503) {
      const wait = Math.max(0, waitFor(response, sentAt));
      await response.arrayBuffer();
      console.log(
        `answered ${response.status} (Retry-After: ${response.headers.get('retry-after')}); waiting ${Math.round(wait)} ms`,
      );
      await sleep(wait);
      continue;
    }
    const body = await response.json().catch(() => ({}));
    if (response.status !== 200 || typeof body.access_token !== 'string')
      throw new Error(`token: ${response.status}`);
    return body.access_token;
  }
  throw new Error('no token after 4 attempts');
}

try {
  const token = await requestToken();
  for (let i = 1; i <= calls; i++) {
    const status = await callResource(token);
    if (status !== 200) throw new Error(`call ${i}: ${status}`);
    if (i < calls) await sleep(intervalMs);
  }
} catch (error) {
  fail(error.message);
}
