// merge and diff, the parts that need no run: verdicts by run's rules, run names, cells, links,
// and the rate-limit facts read from a testcase's words.
import { describe, expect, test } from 'vitest';
import { limitFact } from '../../src/report/diff.ts';
import {
  cellOf,
  EXIT_NOT_TESTED,
  mergeExitCode,
  mergeRuns,
  runLink,
  runVerdict,
} from '../../src/report/merge.ts';
import type { ReadRunReport } from '../../src/report/read-result.ts';
import { countOutcomes, type Outcome, type TestcaseRecord } from '../../src/report/record.ts';

function record(name: string, outcome: Outcome, notes: string[] = []): TestcaseRecord {
  return {
    name,
    area: 'token',
    requirement: name.split(' [', 1)[0] ?? name,
    level: 'documented',
    source: '',
    trigger: 'request',
    outcome,
    notes,
    durationMs: 1,
  };
}

function report(testcases: TestcaseRecord[], extra: Partial<ReadRunReport> = {}): ReadRunReport {
  return {
    tool: { name: 'oauth-conformance', version: '0.1.0' },
    target: 'https://a.example.com',
    targetKind: 'url',
    profile: 'atlas',
    seed: 1,
    startedAt: '2026-11-30T08:00:00.000Z',
    durationMs: 10,
    plan: { token: 0, revoke: 0, leastWallMs: 0 },
    spent: { token: 0, revoke: 0, unplanned429s: 0 },
    allowances: [],
    crashes: [],
    testcases,
    totals: countOutcomes(testcases),
    ...extra,
  };
}

const passing = report([record('token.200.status [client_credentials]', 'passed')]);
const failing = report([record('token.200.status [client_credentials]', 'failed')]);
const aborted = report([], { aborted: { kind: 'unreachable', reason: 'ECONNREFUSED' } });

describe('runVerdict and the exit status of a merge', () => {
  test.each([
    ['passed', passing, 'passed'],
    ['a failure', failing, 'failed'],
    ['a suite error', report([record('token.x [y]', 'errored')]), 'failed'],
    ['a crash', report(passing.testcases, { crashes: ['suite would not load'] }), 'failed'],
    ['no testcase', report([]), 'failed'],
    [
      'allowed and warned only',
      report([record('a.b [c]', 'allowed'), record('a.d [c]', 'warned')]),
      'passed',
    ],
    ['not tested', aborted, 'not-tested'],
  ] as const)('%s', (_name, run, verdict) => {
    expect(runVerdict(run)).toBe(verdict);
  });

  test.each([
    [[passing, passing], 0],
    [[passing, failing], 1],
    [[passing, aborted], EXIT_NOT_TESTED],
    [[aborted, failing], 1],
  ] as const)('exit status [%#]', (runs, code) => {
    expect(mergeExitCode(mergeRuns(runs.map((r, i) => ({ dir: `runs/${i}`, report: r }))))).toBe(
      code,
    );
  });
});

describe('run names: target and profile, unique', () => {
  test('the embedded mock by its kind; shared names take their directory, then a number', () => {
    const embedded = report([], { target: 'http://127.0.0.1:41000', targetKind: 'embedded-mock' });
    const merged = mergeRuns([
      { dir: 'runs/a', report: embedded },
      { dir: 'runs/b', report: passing },
      { dir: 'other/b', report: passing },
      { dir: 'runs/c', report: { ...passing, profile: 'rfc6749' } },
    ]);
    expect(merged.runs.map((run) => run.name)).toEqual([
      'embedded reference mock (atlas)',
      'https://a.example.com (atlas) [b]',
      'https://a.example.com (atlas) [b] #2',
      'https://a.example.com (rfc6749)',
    ]);
  });
});

describe('cells of the overview', () => {
  test.each([
    [['passed', 'skipped'], { verdict: 'pass', count: 1, of: 2 }],
    [['passed', 'failed', 'allowed'], { verdict: 'fail', count: 1, of: 3 }],
    [['errored'], { verdict: 'fail', count: 1, of: 1 }],
    [['passed', 'allowed', 'warned'], { verdict: 'allowed', count: 1, of: 3 }],
    [['passed', 'warned', 'drift'], { verdict: 'warn', count: 1, of: 3 }],
    [['skipped', 'skipped'], { verdict: 'skip', count: 2, of: 2 }],
  ] as const)('%j', (outcomes, cell) => {
    expect(cellOf(outcomes.map((outcome, i) => record(`a.b [${i}]`, outcome)))).toEqual(cell);
  });

  test('links are relative and every segment percent-encoded', () => {
    expect(runLink('/w/merged', '/w/runs/us east', 'req-token.200.status')).toBe(
      '../runs/us%20east/index.html#req-token.200.status',
    );
    expect(runLink('/w/merged', '/w/runs/"><x #?', 'req-a"b')).toBe(
      '../runs/%22%3E%3Cx%20%23%3F/index.html#req-a%22b',
    );
  });
});

describe('limitFact: the rate-limit facts diff compares', () => {
  test.each([
    ['token.rate-limit.stated', ['states 10 per 60 s'], undefined, 'states 10 per 60 s'],
    [
      'token.rate-limit.stated',
      [],
      'the 429 states 50 per 60 s; the configured limit is 10 per 60 s',
      'states 50 per 60 s',
    ],
    [
      'revoke.rate-limit.stated',
      [],
      'the 429 body states no limit ("limited to N requests every M minutes")',
      'states no limit',
    ],
    ['token.rate-limit.exact', ['10 admitted, then 429'], undefined, '10 admitted before the 429'],
    [
      'token.rate-limit.exact',
      [],
      '12 requests admitted before the 429 from a fresh window; the limit is 10 per 60 s',
      '12 admitted before the 429',
    ],
    ['token.200.status', ['states 10 per 60 s'], undefined, undefined],
  ])('%s %j %s', (requirement, notes, reason, fact) => {
    expect(limitFact({ requirement, notes, ...(reason ? { reason } : {}) })).toBe(fact);
  });
});
