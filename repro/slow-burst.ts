// A correct service with the configured limit (10 per 2 s) whose every answer takes 250 ms (a
// bcrypt-checked secret, a far region): a burst of 21 sequential requests spans more than a
// window, so a correct limiter never refuses one. Expected: the rate-limit testcases say the
// burst could not be judged, not that the limit is missing. Usage: tsx repro/slow-burst.ts [latencyMs]
import { check, configFor, hostileMock, reasons, summary } from './lib.ts';

const latencyMs = Number(process.argv[2] ?? 250);
const mock = await hostileMock({ latencyMs });
try {
  const c = await check(`slow-burst-${latencyMs}`, mock, configFor(mock), [
    '--seed',
    '3',
    '--fuzz',
    '0',
  ]);
  summary(`every answer after ${latencyMs} ms, limit 10 per 2 s`, c);
  reasons(c, /rate|429/);
} finally {
  await mock.close();
}
