// Every wait is bounded: a duration from the config has a stated maximum (no timer overflow),
// and a wait the target asks for is held to twice its window and to the run's deadline.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { packagePath } from '../../src/shared/paths.ts';
import { createBudget } from '../../src/target/budget.ts';
import { boundTargetWait, DURATION_LIMITS, MAX_TIMER_MS, sleep } from '../../src/target/waits.ts';

describe('boundTargetWait', () => {
  test('a Retry-After within twice the window is waited as told', () => {
    expect(boundTargetWait(30, 'Retry-After', { windowSeconds: 60 })).toEqual({ ms: 30_000 });
    expect(boundTargetWait(120, 'Retry-After', { windowSeconds: 60 })).toEqual({ ms: 120_000 });
  });

  test('on a faster clock the seconds are shorter, the bound as many of them', () => {
    expect(boundTargetWait(3, 'Retry-After', { windowSeconds: 2, secondMs: 250 })).toEqual({
      ms: 750,
    });
    const long = boundTargetWait(9, 'Retry-After', { windowSeconds: 2, secondMs: 250 });
    expect(long.ms).toBe(1000);
    expect(long.finding).toBe('Retry-After 9 s exceeds twice the 2 s window');
  });

  // The input of issue 14: a 429 with Retry-After 9999999999 overflowed the timer, so nothing
  // was waited and the next request's 429 read as "the Retry-After is too short".
  test('Retry-After 9999999999 is a finding, held to the bound', () => {
    const wait = boundTargetWait(9_999_999_999, 'Retry-After', { windowSeconds: 60 });
    expect(wait.finding).toBe('Retry-After 9999999999 s exceeds twice the 60 s window');
    expect(wait.ms).toBe(120_000);
  });

  test('without a known window the bound is twice a minute, and says it was assumed', () => {
    const wait = boundTargetWait(1000, 'Retry-After', { windowSeconds: undefined });
    expect(wait.ms).toBe(120_000);
    expect(wait.finding).toContain('(assumed: none is known)');
  });

  test('a wait never runs past the deadline', () => {
    const now = 1_000_000;
    const wait = boundTargetWait(50, 'Retry-After', {
      windowSeconds: 60,
      deadlineAt: now + 10_000,
      now,
    });
    expect(wait.ms).toBe(0);
    expect(wait.pastDeadline).toBe(
      "not waited: 50 s would pass the run's deadline (deadlineSeconds), 10 s away",
    );
  });

  // The burst's Retry-After: the request after the wait must fit too, and the reason says so
  // (a break-it session read "2 s would pass the deadline, 0 s away" 6 s into a 30 s run).
  test('a wait that fits but the request after it does not: both named, the real distance', () => {
    const wait = boundTargetWait(2, 'Retry-After', {
      windowSeconds: 2,
      deadlineAt: 24_000,
      now: 0,
      afterMs: 30_000,
    });
    expect(wait.ms).toBe(0);
    expect(wait.pastDeadline).toBe(
      "not waited: 2 s and the 30 s a request after it may take would pass the run's deadline (deadlineSeconds), 24 s away",
    );
  });

  // 400 nines parse to Infinity: said as a magnitude, not "Infinity".
  test('not a finite number: the bound, and a finding that says how large', () => {
    const wait = boundTargetWait(Number('9'.repeat(400)), 'Retry-After', { windowSeconds: 2 });
    expect(wait.ms).toBe(4000);
    expect(wait.finding).toBe('Retry-After over 10^15 s exceeds twice the 2 s window');
  });
});

describe('sleep', () => {
  test('a delay past the timer limit is clamped, not turned into no wait', async () => {
    const warnings: string[] = [];
    const listener = (warning: Error) => warnings.push(warning.name);
    process.on('warning', listener);
    const pending = sleep(10 * MAX_TIMER_MS);
    const raced = await Promise.race([pending.then(() => 'slept'), sleep(50).then(() => 'timer')]);
    process.off('warning', listener);
    expect(raced).toBe('timer');
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});

describe('the budget and the deadline', () => {
  test('no budget wait passes the deadline, and nothing is booked after it', async () => {
    let time = 0;
    const budget = createBudget(
      { '/t': { requests: 1, windowSeconds: 60 } },
      {
        marginMs: 0,
        deadlineAt: 5000,
        now: () => time,
        sleep: async (ms) => {
          time += ms;
        },
      },
    );
    const key = { path: '/t', account: 'a' };
    await budget.acquire(key);
    expect(await budget.acquire(key)).toBe(5000);
    expect(time).toBe(5000);
    expect(budget.spent()).toEqual({ '/t [a]': 1 });
  });

  test('a block of 9999999999 s is held to what a timer can wait', async () => {
    let time = 0;
    const sleeps: number[] = [];
    const budget = createBudget(
      { '/t': { requests: 10, windowSeconds: 60 } },
      {
        marginMs: 0,
        deadlineAt: 10 * MAX_TIMER_MS,
        now: () => time,
        sleep: async (ms) => {
          sleeps.push(ms);
          time += ms;
        },
      },
    );
    const key = { path: '/t', account: 'a' };
    budget.block(key, 9_999_999_999);
    await budget.acquire(key);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(MAX_TIMER_MS);
  });
});

describe('DURATION_LIMITS', () => {
  // One maximum per duration: the config schema states the same numbers the flags use.
  test('the config schema states the same maxima', () => {
    const schema = JSON.parse(
      readFileSync(packagePath('schemas', 'config.schema.json'), 'utf8'),
    ) as {
      properties: Record<
        string,
        { maximum?: number; properties?: Record<string, { maximum?: number }> }
      >;
    };
    const p = schema.properties;
    expect(p.timeoutSeconds?.maximum).toBe(DURATION_LIMITS.timeoutSeconds);
    expect(p.deadlineSeconds?.maximum).toBe(DURATION_LIMITS.deadlineSeconds);
    expect(p.revocationWaitSeconds?.maximum).toBe(DURATION_LIMITS.revocationWaitSeconds);
    expect(p.tokenLifetimeSeconds?.maximum).toBe(DURATION_LIMITS.tokenLifetimeSeconds);
    expect(p.rateLimit?.properties?.windowSeconds?.maximum).toBe(DURATION_LIMITS.windowSeconds);
    expect(p.revokeRateLimit?.properties?.windowSeconds?.maximum).toBe(
      DURATION_LIMITS.windowSeconds,
    );
    expect(p.container?.properties?.startupTimeoutSeconds?.maximum).toBe(
      DURATION_LIMITS.startupTimeoutSeconds,
    );
  });

  test('twice any of them stays within a timer', () => {
    for (const seconds of Object.values(DURATION_LIMITS)) {
      if (seconds === DURATION_LIMITS.tokenLifetimeSeconds) continue; // never waited whole
      expect(2 * seconds * 1000).toBeLessThan(MAX_TIMER_MS);
    }
  });
});
