// A correct sequential client (reuses its token, renews near expiry or once after a 401, honours
// Retry-After, in both forms) whose HTTP layer holds one spare connection opened at start and
// sends its first token request *after* an answer it reacts to on it, as Go's net/http Transport
// does with a connection it dialled for a request another connection served first (the dial is
// not cancelled; the connection goes to the idle pool and the next request takes it).
// Expected: passes every scenario, like test/fixtures/clients/sequential.mjs honour.
import http from 'node:http';
import net from 'node:net';

const env = process.env;
const calls = Number(env.CALLS ?? 1);
const intervalMs = Number(env.CALL_INTERVAL_MS ?? 0);
const basic = `Basic ${Buffer.from(`${env.MONGODB_ATLAS_CLIENT_ID}:${env.MONGODB_ATLAS_CLIENT_SECRET}`).toString('base64')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const base = new URL(env.OAUTH_BASE_URL);
let spare = net.connect(Number(base.port), base.hostname);
spare.on('error', () => {});
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

function send(method, url, headers, body, useSpare) {
  return new Promise((resolve, reject) => {
    const options = { method, headers };
    if (useSpare && spare) {
      const socket = spare;
      spare = undefined;
      Object.assign(options, { createConnection: () => socket });
      console.log(`${method} ${new URL(url).pathname} on the spare connection`);
    } else Object.assign(options, { agent: keepAlive });
    const req = http.request(url, options, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function retryAfterMs(headers) {
  const value = (headers['retry-after'] ?? '').trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - Date.now());
}

let reacted = false; // the first request sent in reaction to an answer takes the spare connection
async function requestToken() {
  for (let attempt = 1; attempt <= 4; attempt++) {
    const res = await send(
      'POST',
      env.OAUTH_TOKEN_URL,
      {
        authorization: basic,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      'grant_type=client_credentials',
      reacted,
    );
    if (res.status === 429 || res.status === 503) {
      const wait = retryAfterMs(res.headers);
      console.log(`token ${res.status}; waiting ${wait} ms`);
      await sleep(wait);
      reacted = true;
      continue;
    }
    const body = JSON.parse(res.text);
    if (res.status !== 200) throw new Error(`token ${res.status}`);
    return {
      token: body.access_token,
      expiresAt: Date.now() + body.expires_in * 1000,
      expiresIn: body.expires_in,
    };
  }
  throw new Error('no token');
}

try {
  let current = await requestToken();
  for (let i = 1; i <= calls; i++) {
    if (Date.now() >= current.expiresAt - current.expiresIn * 100) {
      reacted = true;
      current = await requestToken();
    }
    let res = await send('GET', env.RESOURCE_URL, { authorization: `Bearer ${current.token}` });
    if (res.status === 401) {
      reacted = true;
      current = await requestToken();
      res = await send('GET', env.RESOURCE_URL, { authorization: `Bearer ${current.token}` });
    }
    console.log(`call ${i}: ${res.status}`);
    if (res.status !== 200) throw new Error(`call ${i}: ${res.status}`);
    if (i < calls) await sleep(intervalMs);
  }
  process.exit(0);
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(1);
}
