// A token endpoint that answers in application/x-www-form-urlencoded (as GitHub's does without an
// Accept header, and some legacy servers always do) with an opaque access token (not a JWT).
// Expected: the token never reaches stdout or the reports. Usage: tsx repro/form-token-leak.ts [content-type]
import { randomBytes } from 'node:crypto';
import { check, configFor, hostileMock, issuedTokens, reasons, summary } from './lib.ts';

const contentType = process.argv[2] ?? 'application/x-www-form-urlencoded';
const mock = await hostileMock({
  tamper: (res, req) => {
    if (
      req.path !== '/api/oauth/token' ||
      res.status !== 200 ||
      !res.body ||
      res.body instanceof Uint8Array
    )
      return res;
    const opaque = `gho_${randomBytes(18).toString('hex')}`;
    issuedTokens.push(opaque);
    const body = new URLSearchParams({
      access_token: opaque,
      token_type: 'bearer',
      scope: '',
    }).toString();
    return {
      ...res,
      headers: { ...res.headers, 'Content-Type': contentType },
      body: Buffer.from(body),
    };
  },
});
try {
  const c = await check(`form-token-${contentType.replace(/\W/g, '')}`, mock, configFor(mock), [
    '--seed',
    '3',
    '--fuzz',
    '0',
  ]);
  summary(`token answered as ${contentType}`, c);
  reasons(c, /200\.body/);
} finally {
  await mock.close();
}
