// Allow entries per requirement and per case: what became of each, and which fail the run.
import { describe, expect, test } from 'vitest';
import {
  allowanceFailures,
  allowanceStatus,
  failingAllowances,
} from '../../src/report/allowances.ts';
import type { Outcome, TestcaseRecord } from '../../src/report/record.ts';
import type { Allowance } from '../../src/suite/config.ts';

function record(name: string, outcome: Outcome): TestcaseRecord {
  return {
    name,
    area: 'token',
    requirement: name.split(' [', 1)[0] ?? name,
    level: 'documented',
    source: '',
    trigger: 'request',
    outcome,
    notes: [],
    durationMs: 1,
  };
}

const until = '2099-12-31';
const entry = (requirement: string, title?: string): Allowance => ({
  requirement,
  ...(title === undefined ? {} : { case: title }),
  reason: 'r',
  expires: until,
});

const records = [
  record('token.invalid_client.401 [unknown client id]', 'passed'),
  record('token.invalid_client.401 [wrong secret]', 'allowed'),
  record('token.200.status [client_credentials]', 'passed'),
  record('token.rfc.pragma [client_credentials]', 'warned'),
  record('token.500.headers [injected 500]', 'skipped'),
];

describe('allowanceStatus', () => {
  test.each([
    ['a requirement with one allowed case', entry('token.invalid_client.401'), 'allowed'],
    ['the allowed case', entry('token.invalid_client.401', 'wrong secret'), 'allowed'],
    [
      'the passing sibling case: stale',
      entry('token.invalid_client.401', 'unknown client id'),
      'now-passing',
    ],
    ['a requirement whose testcases all pass: stale', entry('token.200.status'), 'now-passing'],
    ['a warned requirement: not a pass', entry('token.rfc.pragma'), 'not-run'],
    ['a skipped requirement: not judged', entry('token.500.headers'), 'not-run'],
    ['a requirement not in the run', entry('revoke.200.status'), 'not-run'],
  ])('%s', (_name, allowance, status) => {
    expect(
      allowanceStatus({ allowances: [allowance], expiredAllowances: [] }, records)[0]?.status,
    ).toBe(status);
  });
});

describe('allowanceFailures', () => {
  const report = (allowStale?: 'fail' | 'warn') => ({
    ...(allowStale ? { allowStale } : {}),
    allowances: allowanceStatus(
      {
        allowances: [entry('token.200.status'), entry('token.invalid_client.401')],
        expiredAllowances: [
          { ...entry('token.rfc.pragma', 'client_credentials'), expires: '2020-01-01' },
        ],
      },
      records,
    ),
  });

  test('stale and expired entries fail the run, each as its own testcase', () => {
    expect(allowanceFailures(report('fail'))).toEqual([
      {
        name: 'allowance.stale [token.200.status]',
        message:
          'stale: token.200.status now passes; remove it from the allow list (--allow-stale warn makes this a warning)',
      },
      {
        name: 'allowance.expired [token.rfc.pragma [client_credentials]]',
        message:
          'the allowance for token.rfc.pragma [client_credentials] expired on 2020-01-01 (r): fix the deviation or renew the entry',
      },
    ]);
    // A report written before --allow-stale: stale fails, as it does by default.
    expect(failingAllowances(report())).toBe(2);
  });

  test('--allow-stale warn: only the expired entry fails', () => {
    expect(allowanceFailures(report('warn')).map((failure) => failure.name)).toEqual([
      'allowance.expired [token.rfc.pragma [client_credentials]]',
    ]);
  });
});
