// A server that checks nothing: every token request gets 200 and a token, every revocation 200.
// Which testcases PASS although the response they are about (a 401, an error body) never came?
// Usage: tsx repro/always-200.ts
import { check, configFor, hostileMock, summary } from './lib.ts';

let ok: unknown;
const mock = await hostileMock({
  tamper: (res, req) => {
    if (req.path === '/api/oauth/token' && res.status === 200) ok = res;
    if (req.path === '/api/oauth/token' && ok) return ok as typeof res;
    if (req.path === '/api/oauth/revoke')
      return {
        ...res,
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: undefined,
      };
    return res;
  },
});
try {
  const c = await check(
    'always-200',
    mock,
    configFor(mock, {
      paths: { token: '/api/oauth/token', revoke: '/api/oauth/revoke' },
      resourceProbe: { path: '/api/atlas/v2/', accept: 'application/json' },
    }),
    ['--profile', 'rfc6749', '--seed', '3', '--fuzz', '0'],
  );
  summary('every request accepted', c);
  const xml = (await import('node:fs')).readFileSync(`${c.run.reports}/result.json`, 'utf8');
  for (const t of JSON.parse(xml).testcases)
    if (t.outcome === 'passed' && /www-authenticate|error|content-type/.test(t.name))
      console.log(`   passed ${t.name}${t.notes?.length ? `  (note: ${t.notes.join('; ')})` : ''}`);
} finally {
  await mock.close();
}
