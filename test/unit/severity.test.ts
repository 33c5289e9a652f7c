// The one place that decides what a finding means: level, --strict and --allow.
import { expect, test } from 'vitest';
import { decide } from '../../src/severity.ts';

test.each([
  ['documented', false, false, 'fail'],
  ['rfc-must', false, false, 'fail'],
  ['rfc-should', false, false, 'warn'],
  ['observed', false, false, 'warn'],
  ['rfc-should', true, false, 'fail'],
  ['observed', true, false, 'fail'],
  ['documented', false, true, 'allowed'],
  ['rfc-should', false, true, 'warn'],
  ['rfc-should', true, true, 'allowed'],
] as const)('decide [%s, strict %s, allowed %s: %s]', (level, strict, allowed, outcome) => {
  expect(decide(level, false, { strict, allowed })).toBe(outcome);
  expect(decide(level, true, { strict, allowed })).toBe('pass');
});
