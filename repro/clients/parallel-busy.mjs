// A correct parallel client (calls two at a time, one token shared, one token request in flight
// at most, renews once after a 401, whichever call meets it first). The first call of each pair
// opens its own connection and writes its request 150 ms later (a busy program: a thread that
// connected and then lost the CPU); the second goes at once on a kept-alive connection. So the
// second call's 401 reaches the program first, and the program renews in reaction to it.
// Expected: passes revoked-mid-run, like test/fixtures/clients/parallel.mjs.
import http from 'node:http';
import net from 'node:net';

const env = process.env;
const calls = Number(env.CALLS ?? 1);
const intervalMs = Number(env.CALL_INTERVAL_MS ?? 0);
const basic = `Basic ${Buffer.from(`${env.MONGODB_ATLAS_CLIENT_ID}:${env.MONGODB_ATLAS_CLIENT_SECRET}`).toString('base64')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const base = new URL(env.OAUTH_BASE_URL);
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });

async function send(method, url, headers, body, busy) {
  let options = { method, headers, agent: keepAlive };
  if (busy) {
    const socket = net.connect(Number(base.port), base.hostname);
    await new Promise((r) => socket.once('connect', r));
    await sleep(150);
    options = { method, headers, createConnection: () => socket };
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

let current;
let pending;
function token() {
  if (current) return current;
  pending ??= send(
    'POST',
    env.OAUTH_TOKEN_URL,
    { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    'grant_type=client_credentials',
  )
    .then((res) => {
      if (res.status !== 200) throw new Error(`token ${res.status}`);
      current = JSON.parse(res.text).access_token;
      return current;
    })
    .finally(() => {
      pending = undefined;
    });
  return pending;
}

async function call(i) {
  let used = await token();
  let res = await send(
    'GET',
    env.RESOURCE_URL,
    { authorization: `Bearer ${used}` },
    undefined,
    i % 2 === 1,
  );
  if (res.status === 401) {
    if (current === used) current = undefined;
    used = await token();
    res = await send('GET', env.RESOURCE_URL, { authorization: `Bearer ${used}` });
  }
  console.log(`call ${i}: ${res.status}`);
  if (res.status !== 200) throw new Error(`call ${i}: ${res.status}`);
}

try {
  for (let i = 1; i <= calls; i += 2) {
    await Promise.all((i + 1 <= calls ? [i, i + 1] : [i]).map(call));
    if (i + 2 <= calls) await sleep(intervalMs);
  }
  process.exit(0);
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(1);
}
