// The one place that decides what a finding means: level, --strict and --allow.
import { expect, test } from 'vitest';
import { decide } from '../../src/suite/severity.ts';

test.each([
  ['documented', false, false, 'failed'],
  ['rfc-must', false, false, 'failed'],
  ['rfc-should', false, false, 'warned'],
  ['observed', false, false, 'warned'],
  ['rfc-should', true, false, 'failed'],
  ['observed', true, false, 'failed'],
  ['documented', false, true, 'allowed'],
  ['rfc-should', false, true, 'warned'],
  ['rfc-should', true, true, 'allowed'],
] as const)('decide [%s, strict %s, allowed %s: %s]', (level, strict, allowed, outcome) => {
  expect(decide(level, false, { strict, allowed })).toBe(outcome);
  expect(decide(level, true, { strict, allowed })).toBe('passed');
});
