// An RFC 6749 server that requires a scope and, as §3.3 allows, fails a request without one with
// 400 invalid_scope ("the authorization server MUST either process the request using a pre-defined
// default value or fail the request indicating an invalid scope"). Run without tokenRequestParameters,
// as a newcomer would. Expected: no failure blames the server for refusing; the reason says that a
// scope is required and how to configure one. Usage: tsx repro/scope-required.ts [with-scope]
import { check, configFor, hostileMock, reasons, skips, summary } from './lib.ts';

const withScope = process.argv[2] === 'with-scope';
const mock = await hostileMock({
  tamper: (res, req) => {
    if (req.path !== '/api/oauth/token' || res.status !== 200) return res;
    if (new URLSearchParams(req.body).has('scope')) return res;
    return {
      ...res,
      status: 400,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
      },
      body: { error: 'invalid_scope', error_description: 'a scope is required' },
    };
  },
});
try {
  const config = configFor(mock, {
    paths: { token: '/api/oauth/token', revoke: '/api/oauth/revoke' },
    resourceProbe: { path: '/api/atlas/v2/', accept: 'application/json' },
    ...(withScope ? { tokenRequestParameters: { scope: 'read' } } : {}),
  });
  const c = await check(`scope-required${withScope ? '-with' : ''}`, mock, config, [
    '--profile',
    'rfc6749',
    '--seed',
    '3',
    '--fuzz',
    '0',
  ]);
  summary(`400 invalid_scope without a scope${withScope ? ' (scope configured)' : ''}`, c);
  reasons(c);
  skips(c);
} finally {
  await mock.close();
}
