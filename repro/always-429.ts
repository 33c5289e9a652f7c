// A target that answers 429 rate_limited (Retry-After: 1) to every token and revoke request, as
// an account blocked by another client would. Usage: tsx repro/always-429.ts [windowSeconds]
import {
  check,
  configFor,
  hostileMock,
  type MockResponse,
  reasons,
  skips,
  summary,
} from './lib.ts';

const windowSeconds = Number(process.argv[2] ?? 2);
const limit = { requests: 10, windowSeconds };
const tamper = (res: MockResponse, req: { path: string }): MockResponse =>
  req.path === '/api/oauth/token' || req.path === '/api/oauth/revoke'
    ? {
        ...res,
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '1' },
        body: {
          error: 'rate_limited',
          error_description: `Rate limit exceeded. You are limited to 10 requests every ${windowSeconds / 60} minutes.`,
        },
      }
    : res;
const mock = await hostileMock({ tamper, rateLimit: limit });
try {
  const c = await check(
    `always-429-${windowSeconds}`,
    mock,
    configFor(mock, { rateLimit: limit, revokeRateLimit: limit }),
    ['--seed', '3', '--fuzz', '0'],
  );
  summary('always-429', c);
  reasons(c, /200\.status|invalid_client.401 \[wrong/);
  skips(c);
  console.log(
    c.run.stdout
      .split('\n')
      .filter((l) => /^spent|unplanned/.test(l))
      .join('\n'),
  );
  console.log(c.run.stderr.split('\n').slice(0, 5).join('\n'));
} finally {
  await mock.close();
}
