// A server that accepts the client credentials in HTTP Basic both raw and form-urlencoded (it
// tries both), whose very first token request meets a transient 503 (a cold start behind a proxy).
// Expected under --profile rfc6749: no finding that blames the credential encoding.
// Usage: tsx repro/transient-503-encoding.ts [first-status]
import type { MockRequestInfo } from '../src/mock/index.ts';
import { check, configFor, hostileMock, reasons, summary } from './lib.ts';

const firstStatus = Number(process.argv[2] ?? 503);
const accounts = {
  primary: { clientId: 'mdb_sa_id_0123456789abcdef01234567', clientSecret: 'q+Fz/8w0bXk=a%b c' },
};
const formDecode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};
// Accept form-urlencoded credentials too: rewrite them to raw before the (raw-comparing) mock sees them.
const rewrite = (req: MockRequestInfo): MockRequestInfo => {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Basic ')) return req;
  const decoded = Buffer.from(auth.slice(6), 'base64').toString();
  const colon = decoded.indexOf(':');
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (id === accounts.primary.clientId && secret === accounts.primary.clientSecret)
    return {
      ...req,
      headers: {
        ...req.headers,
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      },
    };
  return req;
};
let first = true;
const mock = await hostileMock({
  accounts,
  rewrite,
  tamper: (res, req) => {
    if (req.path !== '/api/oauth/token' || req.method !== 'POST' || !first) return res;
    first = false;
    return {
      ...res,
      status: firstStatus,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
      body: { error: 'temporarily_unavailable', error_description: 'warming up' },
    };
  },
});
try {
  const c = await check(
    `transient-${firstStatus}`,
    mock,
    configFor(mock, {
      accounts,
      paths: { token: '/api/oauth/token', revoke: '/api/oauth/revoke' },
      resourceProbe: { path: '/api/atlas/v2/', accept: 'application/json' },
    }),
    ['--profile', 'rfc6749', '--seed', '3', '--fuzz', '0'],
  );
  summary(`first token request ${firstStatus}, both encodings accepted`, c);
  reasons(c);
  console.log(
    c.run.stdout
      .split('\n')
      .filter((l) => /raw|encod/.test(l))
      .slice(0, 5)
      .join('\n'),
  );
} finally {
  await mock.close();
}
