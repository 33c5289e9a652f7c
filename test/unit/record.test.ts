// What a testcase's end becomes in the reports: only a ConformanceFailure is a finding about the
// target; anything else a check throws is the suite's own error (a JUnit <error>, exit 1), never a
// failure charged to the requirement at its level. What the testcase says about itself travels
// on the typed channel (src/suite/channel.ts), encoded and decoded by the same module.
import { describe, expect, test } from 'vitest';
import type { TestCase } from 'vitest/node';
import { areaOf, recordOf } from '../../src/report/record.ts';
import { report, type TestcaseMessage } from '../../src/suite/channel.ts';

/** A finished testcase as vitest hands it over, having reported `messages` on the channel. */
async function testCase(
  state: 'failed' | 'passed' | 'skipped',
  messages: TestcaseMessage[],
  error?: { name: string; message: string; stack?: string },
): Promise<TestCase> {
  const annotations: { type: string; message: string }[] = [];
  const sink = {
    annotate: async (message: string, type?: string) => {
      annotations.push({ type: type ?? 'notice', message });
    },
  };
  for (const message of messages) await report(sink, message);
  const fake = {
    name: 'token.query.pretty [pretty=true on 401]',
    module: { moduleId: '/x/suites/token.test.ts' },
    result: () => ({ state, errors: error ? [error] : [] }),
    annotations: () => annotations,
    diagnostic: () => ({ duration: 1 }),
  };
  return fake as unknown as TestCase;
}

const IDENTITY: TestcaseMessage[] = [
  { kind: 'requirement', id: 'token.query.pretty' },
  { kind: 'level', level: 'rfc-must' },
  { kind: 'level', level: 'rfc-should' },
];

describe('recordOf', () => {
  test('a ConformanceFailure is a failure of the requirement, with the reason it reported', async () => {
    const record = recordOf(
      await testCase(
        'failed',
        [...IDENTITY, { kind: 'failed', reason: 'the body means something else' }],
        {
          name: 'ConformanceFailure',
          message: 'token.query.pretty [pretty=true on 401]: the body means something else\nmore',
        },
      ),
    );
    expect(record.outcome).toBe('failed');
    expect(record.reason).toBe('the body means something else');
    expect(record.requirement).toBe('token.query.pretty');
    // The last level reported wins (a defined refusal lowers it).
    expect(record.level).toBe('rfc-should');
  });

  test('anything else thrown is a suite error, whatever the level', async () => {
    const record = recordOf(
      await testCase('failed', IDENTITY, {
        name: 'RangeError',
        message: 'Maximum call stack size exceeded',
        stack: 'RangeError: …',
      }),
    );
    expect(record.outcome).toBe('errored');
    expect(record.reason).toBe('suite error while judging: Maximum call stack size exceeded');
  });

  test.each([
    [{ kind: 'warning', reason: 'w' }, 'warned', 'w'],
    [{ kind: 'drift', reason: 'd' }, 'drift', 'd'],
    [{ kind: 'allowed', reason: 'a', details: 'all of it' }, 'allowed', 'a'],
  ] as const)('a passed testcase that reported %o is %s', async (message, outcome, reason) => {
    const record = recordOf(await testCase('passed', [...IDENTITY, message]));
    expect(record.outcome).toBe(outcome);
    expect(record.reason).toBe(reason);
  });

  test('a skipped testcase keeps its reason; annotations of other types are ignored', async () => {
    const fake = await testCase('skipped', [...IDENTITY, { kind: 'skipped', reason: 'no probe' }]);
    const record = recordOf(fake);
    expect(record).toMatchObject({ outcome: 'skipped', reason: 'no probe', notes: [] });
  });
});

// The built CLI runs dist/suites/<area>.test.js: its reports named every testsuite by that
// absolute path (found by a break-it session), which the self-tests, run from source, never saw.
describe('areaOf', () => {
  test.each([
    ['/work/x/suites/token.test.ts', 'token'],
    ['/home/ci/node_modules/oauth-conformance/dist/suites/rate-limit.test.js', 'rate-limit'],
    ['C:\\ci\\dist\\suites\\lifetime.test.mjs', 'lifetime'],
    ['/somewhere/odd.js', 'odd'],
  ])('%s -> %s', (moduleId, area) => {
    expect(areaOf(moduleId)).toBe(area);
  });
});
