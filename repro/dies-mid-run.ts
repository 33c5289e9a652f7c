// A target that goes away in the middle of a run (a deploy, a crash): the first requests are
// answered, then nothing listens. What exit status and reports does CI get? Usage: tsx repro/dies-mid-run.ts [afterMs]
import { check, configFor, hostileMock, summary } from './lib.ts';

const afterMs = Number(process.argv[2] ?? 4000);
const mock = await hostileMock({});
setTimeout(() => void mock.close(), afterMs);
const c = await check('dies-mid-run', mock, configFor(mock), ['--seed', '3', '--fuzz', '0']);
summary(`target gone after ${afterMs} ms`, c);
const reasons = new Map<string, number>();
for (const x of c.run.cases)
  if (x.state === 'failed') {
    const why =
      (x.failure ?? '')
        .split('\n')[0]
        ?.replace(/^.*?\]: /, '')
        .slice(0, 120) ?? '';
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
for (const [why, n] of reasons) console.log(`   ${n} x ${why}`);
console.log(
  c.run.stdout
    .split('\n')
    .filter((l) => /^passed|^spent/.test(l))
    .join('\n'),
);
