// What a testcase's end becomes in the reports: only a ConformanceFailure is a finding about the
// target; anything else a check throws is the suite's own error (a JUnit <error>, exit 1), never a
// failure charged to the requirement at its level.
import { describe, expect, test } from 'vitest';
import type { TestCase } from 'vitest/node';
import { recordOf } from '../../src/reporters/record.ts';

function testCase(error: { name: string; message: string; stack?: string }): TestCase {
  const fake = {
    name: 'token.query.pretty [pretty=true on 401]',
    module: { moduleId: '/x/suites/token.test.ts' },
    result: () => ({ state: 'failed', errors: [error] }),
    annotations: () => [
      { type: 'requirement', message: 'token.query.pretty' },
      { type: 'level', message: 'rfc-should' },
    ],
    diagnostic: () => ({ duration: 1 }),
  };
  return fake as unknown as TestCase;
}

describe('recordOf', () => {
  test('a ConformanceFailure is a failure of the requirement', () => {
    const record = recordOf(
      testCase({
        name: 'ConformanceFailure',
        message: 'token.query.pretty [pretty=true on 401]: the body means something else',
      }),
    );
    expect(record.outcome).toBe('failed');
    expect(record.reason).toBe('the body means something else');
  });

  test('anything else thrown is a suite error, whatever the level', () => {
    const record = recordOf(
      testCase({
        name: 'RangeError',
        message: 'Maximum call stack size exceeded',
        stack: 'RangeError: …',
      }),
    );
    expect(record.outcome).toBe('errored');
    expect(record.reason).toBe('suite error while judging: Maximum call stack size exceeded');
  });
});
