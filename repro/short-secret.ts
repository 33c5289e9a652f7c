// A configured client secret shorter than 8 characters ("hunter2"), echoed by a debug-minded
// server in a `debug` member of every JSON body (as test servers quote what they got). Expected: the
// secret never reaches stdout or the reports. Usage: tsx repro/short-secret.ts
import { check, configFor, hostileMock, summary } from './lib.ts';

const SECRET = 'hunter2';
const mock = await hostileMock({
  accounts: { primary: { clientId: 'mdb_sa_id_0123456789abcdef01234567', clientSecret: SECRET } },
  tamper: (res, req) => {
    if (!res.body || res.body instanceof Uint8Array) return res;
    const auth = req.headers.authorization ?? '';
    const decoded = auth.startsWith('Basic ')
      ? Buffer.from(auth.slice(6), 'base64').toString()
      : '';
    return {
      ...res,
      body: {
        ...(res.body as object),
        debug: `authenticated with secret ${decoded.split(':').slice(1).join(':')}`,
      },
    };
  },
});
try {
  const c = await check('short-secret', mock, configFor(mock), ['--seed', '3'], [SECRET]);
  summary('short-secret', c);
  const where = ['stdout', 'stderr'].filter((k) =>
    (c.run as unknown as Record<string, string>)[k].includes(SECRET),
  );
  console.log(`   "${SECRET}" appears in: ${where.join(', ') || '(terminal: nowhere)'}`);
  console.log(`   SECRET IN REPORT line: ${c.run.stdout.includes('SECRET IN REPORT')}`);
} finally {
  await mock.close();
}
