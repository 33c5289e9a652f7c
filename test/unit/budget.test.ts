// The request budget on a fake clock: sleeping advances the clock, so every wait is exact.
import { describe, expect, test } from 'vitest';
import type { RateLimit } from '../../src/shared/types.ts';
import { createBudget, keyLabel, retryAfterSeconds } from '../../src/target/budget.ts';

const PATH = '/api/oauth/token';
const KEY = { path: PATH, account: 'primary' };
const LABEL = keyLabel(KEY);
const other = (account: string) => ({ path: PATH, account });
const MARGIN = 250;

function fakeClock(start = 1_000_000) {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
    advance: (ms: number) => {
      time += ms;
    },
    sleeps,
  };
}

function budgetWith(limit: RateLimit | null, clock = fakeClock()) {
  const waits: [string, number, string][] = [];
  const budget = createBudget(
    { [PATH]: limit },
    {
      marginMs: MARGIN,
      now: clock.now,
      sleep: clock.sleep,
      onWait: (key, ms, why) => waits.push([key, ms, why]),
    },
  );
  return { budget, clock, waits };
}

describe('createBudget', () => {
  test('acquire [up to the limit, no waiting]', async () => {
    const { budget, clock } = budgetWith({ requests: 3, windowSeconds: 60 });
    for (let i = 0; i < 3; i++) {
      expect(await budget.acquire(KEY)).toBe(0);
      clock.advance(100);
    }
    expect(clock.sleeps).toEqual([]);
    expect(budget.spent()).toEqual({ [LABEL]: 3 });
  });

  test('acquire [one past the limit waits for the oldest to leave the window]', async () => {
    const { budget, clock, waits } = budgetWith({ requests: 3, windowSeconds: 60 });
    const start = clock.now();
    for (let i = 0; i < 3; i++) {
      await budget.acquire(KEY);
      clock.advance(1000);
    }
    // The oldest was booked at `start`; it leaves the window at start + 60 s (+ margin).
    const waited = await budget.acquire(KEY);
    expect(waited).toBe(60_000 + MARGIN - 3000);
    expect(clock.now()).toBe(start + 60_000 + MARGIN);
    expect(waits).toEqual([[LABEL, waited, expect.stringContaining('3 per 60 s')]]);
    // The next waits for the second-oldest, booked at start + 1 s.
    const next = await budget.acquire(KEY);
    expect(clock.now()).toBe(start + 1000 + 60_000 + MARGIN);
    expect(next).toBe(1000);
    expect(budget.spent()).toEqual({ [LABEL]: 5 });
  });

  test('acquire [keys have separate windows]', async () => {
    const { budget, clock } = budgetWith({ requests: 1, windowSeconds: 10 });
    expect(await budget.acquire(other('a'))).toBe(0);
    expect(await budget.acquire(other('b'))).toBe(0);
    expect(clock.sleeps).toEqual([]);
    expect(await budget.acquire(other('a'))).toBe(10_000 + MARGIN);
  });

  test('book [counts against the window without waiting]', async () => {
    const { budget, clock } = budgetWith({ requests: 2, windowSeconds: 10 });
    budget.book(KEY);
    budget.book(KEY);
    budget.book(KEY);
    expect(clock.sleeps).toEqual([]);
    expect(budget.spent()).toEqual({ [LABEL]: 3 });
    // Three booked at the same instant: a free slot needs all but one gone, which is the same time.
    expect(await budget.acquire(KEY)).toBe(10_000 + MARGIN);
  });

  test('block [acquire waits out the Retry-After, plus margin]', async () => {
    const { budget, clock, waits } = budgetWith({ requests: 10, windowSeconds: 60 });
    budget.block(KEY, 30);
    const waited = await budget.acquire(KEY);
    expect(waited).toBe(30_000 + MARGIN);
    expect(waits[0]?.[2]).toBe('the Retry-After of a 429');
    expect(clock.sleeps).toEqual([30_000 + MARGIN]);
    // Once waited out, the block no longer applies.
    expect(await budget.acquire(KEY)).toBe(0);
  });

  test('block [a shorter block does not shorten a longer one]', async () => {
    const { budget } = budgetWith({ requests: 10, windowSeconds: 60 });
    budget.block(KEY, 30);
    budget.block(KEY, 5);
    expect(await budget.acquire(KEY)).toBe(30_000 + MARGIN);
  });

  test('block [other keys are not blocked]', async () => {
    const { budget } = budgetWith({ requests: 10, windowSeconds: 60 });
    budget.block(other('a'), 30);
    expect(await budget.acquire(other('b'))).toBe(0);
  });

  test('drain [waits until the last request leaves the window]', async () => {
    const { budget, clock, waits } = budgetWith({ requests: 10, windowSeconds: 2 });
    const start = clock.now();
    await budget.acquire(KEY);
    clock.advance(500);
    await budget.acquire(KEY);
    const waited = await budget.drain(KEY);
    expect(clock.now()).toBe(start + 500 + 2000 + MARGIN);
    expect(waited).toBe(2000 + MARGIN);
    expect(waits).toEqual([[LABEL, 2000 + MARGIN, 'a fresh rate-limit window']]);
  });

  test('drain [nothing booked, no wait]', async () => {
    const { budget, clock } = budgetWith({ requests: 10, windowSeconds: 60 });
    expect(await budget.drain(KEY)).toBe(0);
    expect(clock.sleeps).toEqual([]);
  });

  test('drain [the window already passed, no wait]', async () => {
    const { budget, clock } = budgetWith({ requests: 10, windowSeconds: 2 });
    await budget.acquire(KEY);
    clock.advance(2000 + MARGIN);
    expect(await budget.drain(KEY)).toBe(0);
  });

  test('drain [blocked longer than the window]', async () => {
    const { budget, clock } = budgetWith({ requests: 10, windowSeconds: 2 });
    const start = clock.now();
    await budget.acquire(KEY);
    budget.block(KEY, 60);
    await budget.drain(KEY);
    expect(clock.now()).toBe(start + 60_000 + MARGIN);
  });

  test('onWait [told only of waits over a second]', async () => {
    const { budget, clock, waits } = budgetWith({ requests: 1, windowSeconds: 1 });
    await budget.acquire(KEY);
    await budget.acquire(KEY);
    expect(clock.sleeps).toEqual([1000 + MARGIN]);
    expect(waits).toHaveLength(1);
    clock.advance(1000);
    await budget.acquire(KEY);
    // 250 ms left: slept, not told.
    expect(clock.sleeps.at(-1)).toBe(MARGIN);
    expect(waits).toHaveLength(1);
  });

  test('no limit [never waits, still counts]', async () => {
    const { budget, clock } = budgetWith(null);
    for (let i = 0; i < 100; i++) expect(await budget.acquire(KEY)).toBe(0);
    expect(await budget.drain(KEY)).toBe(0);
    expect(clock.sleeps).toEqual([]);
    expect(budget.limitOf(PATH)).toBeNull();
    expect(budget.spent()).toEqual({ [LABEL]: 100 });
  });

  test('no limit [the Retry-After of a 429 is still waited out]', async () => {
    const { budget } = budgetWith(null);
    budget.block(KEY, 60);
    expect(await budget.acquire(KEY)).toBe(60_000 + MARGIN);
  });

  test('learn [a path with no limit adopts one; a known limit is kept]', async () => {
    const { budget } = budgetWith(null);
    budget.learn(PATH, { requests: 1, windowSeconds: 10 });
    expect(budget.limitOf(PATH)).toEqual({ requests: 1, windowSeconds: 10 });
    budget.learn(PATH, { requests: 50, windowSeconds: 60 });
    expect(budget.limitOf(PATH)).toEqual({ requests: 1, windowSeconds: 10 });
    await budget.acquire(KEY);
    expect(await budget.acquire(KEY)).toBe(10_000 + MARGIN);
  });

  test("secondMs [windows and Retry-After count in the limits' own seconds]", async () => {
    const clock = fakeClock();
    const budget = createBudget(
      { [PATH]: { requests: 1, windowSeconds: 2 } },
      { marginMs: 10, secondMs: 250, now: clock.now, sleep: clock.sleep },
    );
    await budget.acquire(KEY);
    // One window is 2 seconds of 250 ms: the next slot is 500 ms (and the margin) away.
    expect(await budget.acquire(KEY)).toBe(510);
    budget.block(KEY, 4);
    expect(budget.readyIn(KEY)).toBe(1010);
  });

  test('readyIn and quietIn [what acquire and drain would wait, neither waiting nor booking]', async () => {
    const { budget, clock } = budgetWith({ requests: 2, windowSeconds: 60 });
    expect(budget.readyIn(KEY)).toBe(0);
    expect(budget.quietIn(KEY)).toBe(0);
    await budget.acquire(KEY);
    clock.advance(10_000);
    await budget.acquire(KEY);
    expect(budget.readyIn(KEY)).toBe(50_000 + MARGIN);
    expect(budget.quietIn(KEY)).toBe(60_000 + MARGIN);
    expect(budget.readyIn(other('secondary'))).toBe(0);
    expect(clock.sleeps).toEqual([]);
    expect(budget.spent()).toEqual({ [LABEL]: 2 });
  });

  test('count [a request the limit does not count: spent, not in the window]', async () => {
    const { budget, clock } = budgetWith({ requests: 1, windowSeconds: 60 });
    budget.count(KEY);
    expect(budget.readyIn(KEY)).toBe(0);
    expect(await budget.acquire(KEY)).toBe(0);
    expect(clock.sleeps).toEqual([]);
    expect(budget.spent()).toEqual({ [LABEL]: 2 });
  });

  test('default margin [250 ms]', async () => {
    const clock = fakeClock();
    const budget = createBudget({ [PATH]: { requests: 1, windowSeconds: 1 } }, clock);
    await budget.acquire(KEY);
    expect(await budget.acquire(KEY)).toBe(1250);
  });
});

describe('retryAfterSeconds', () => {
  const NOW = Date.parse('Mon, 23 Nov 2026 07:00:00 GMT');

  test.each([
    ['0', 0],
    ['120', 120],
    [' 30 ', 30],
  ])('retryAfterSeconds [delta-seconds %j]', (value, seconds) => {
    expect(retryAfterSeconds(value, NOW)).toBe(seconds);
  });

  test('retryAfterSeconds [IMF-fixdate a minute ahead]', () => {
    expect(retryAfterSeconds('Mon, 23 Nov 2026 07:01:00 GMT', NOW)).toBe(60);
  });

  test('retryAfterSeconds [HTTP-date part of a second ahead rounds up]', () => {
    expect(retryAfterSeconds('Mon, 23 Nov 2026 07:00:01 GMT', NOW - 500)).toBe(2);
  });

  test('retryAfterSeconds [HTTP-date in the past]', () => {
    expect(retryAfterSeconds('Mon, 23 Nov 2026 06:00:00 GMT', NOW)).toBe(0);
  });

  test('retryAfterSeconds [obsolete RFC 850 date]', () => {
    expect(retryAfterSeconds('Monday, 23-Nov-26 07:00:30 GMT', NOW)).toBe(30);
  });

  test.each([undefined, '', 'soon', 'garbage', '12abc', 'NaN'])(
    'retryAfterSeconds [%j is rejected]',
    (value) => {
      expect(retryAfterSeconds(value, NOW)).toBeUndefined();
    },
  );

  // Once a bug (src/target/budget.ts): values that are neither delta-seconds nor an HTTP-date fall through to
  // Date.parse, which V8 parses leniently ("1.5" is 1 May 2001, "-1" the year -1, "foo 2" is
  // 1 Feb 2001). They come back as 0 ("retry now") instead of undefined ("invalid").
  test.each(['1.5', '-1', 'foo 2', 'tomorrow 1'])(
    'retryAfterSeconds [%j is rejected, lenient Date.parse]',
    (value) => {
      expect(retryAfterSeconds(value, NOW)).toBeUndefined();
    },
  );
});
