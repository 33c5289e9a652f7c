// Retry-After in every strange form on the rate-limit bursts' 429s; and a target that answers
// 429 to every request. Usage: tsx repro/retry-after.ts [mode...]
import { check, configFor, hostileMock, type MockResponse, reasons, summary } from './lib.ts';

const withRetryAfter =
  (value: string | string[]) =>
  (res: MockResponse): MockResponse => {
    if (res.status !== 429) return res;
    const headers = Object.fromEntries(
      Object.entries(res.headers).filter(([k]) => k.toLowerCase() !== 'retry-after'),
    );
    return { ...res, headers: { ...headers, 'Retry-After': value as string } };
  };
const date = (offsetS: number) => new Date(Date.now() + offsetS * 1000).toUTCString();

const modes: Record<string, (res: MockResponse) => MockResponse> = {
  negative: withRetryAfter('-5'),
  float: withRetryAfter('1.5'),
  e309: withRetryAfter('1e309'),
  huge: withRetryAfter('9'.repeat(400)),
  zero: withRetryAfter('0'),
  'past-date': (res) => withRetryAfter(date(-3600))(res),
  'far-future-date': (res) => withRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT')(res),
  'date-plus-3': (res) => withRetryAfter(date(3))(res),
  'rfc850-date': (res) => {
    const d = new Date(Date.now() + 3000);
    const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    const p = (n: number) => String(n).padStart(2, '0');
    const mon = d.toUTCString().split(' ')[2];
    const v = `${days[d.getUTCDay()]}, ${p(d.getUTCDate())}-${mon}-${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} GMT`;
    return withRetryAfter(v)(res);
  },
  'two-values': withRetryAfter(['2', '3']),
  'two-values-same': withRetryAfter(['2', '2']),
  padded: withRetryAfter('  2  '),
  empty: withRetryAfter(''),
};

const wanted = process.argv.slice(2);
for (const [name, tamper] of Object.entries(modes)) {
  if (wanted.length && !wanted.includes(name)) continue;
  const mock = await hostileMock({ tamper });
  try {
    const c = await check(`ra-${name}`, mock, configFor(mock), ['--seed', '3', '--fuzz', '0']);
    summary(name, c);
    reasons(c, /429|rate|retry/);
    const notes = c.run.stdout.split('\n').filter((l) => /unplanned|Retry-After|waiting/i.test(l));
    for (const n of notes.slice(0, 4)) console.log(`   out: ${n.slice(0, 300)}`);
  } finally {
    await mock.close();
  }
}
