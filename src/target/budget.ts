/**
 * The request budget: paces requests to rate-limited paths so that only the rate-limit cases
 * ever see a 429. A sliding log per key (path and service account) keeps at most `requests`
 * sends in any `windowSeconds`, which keeps under a server's limit however its windows are
 * aligned. Each path has its own limit; a path with none is not paced until a 429 teaches one.
 */
import type { RateLimit } from '../shared/types.ts';
import { MAX_TIMER_MS, sleep as timerSleep } from './waits.ts';

/** What a server counts requests by: the path and the service account named (or none). */
export interface BudgetKey {
  path: string;
  account: string;
}

export function keyLabel(key: BudgetKey): string {
  return `${key.path} [${key.account || 'no client id'}]`;
}

export interface Budget {
  /** The limit the budget paces `path` by, if any. */
  limitOf(path: string): RateLimit | null;
  /** Adopts a limit for a path that had none (learned from a 429). */
  learn(path: string, limit: RateLimit): void;
  /** Waits until one more request under `key` fits the limit, and books it. Returns ms waited. */
  acquire(key: BudgetKey): Promise<number>;
  /** Books a request sent without waiting (the rate-limit case's deliberate burst). */
  book(key: BudgetKey): void;
  /**
   * Counts a request the target's limit does not count, in {@link Budget.spent} but not in the
   * window: one answered by the fault hook, which is "answered before anything else the target
   * does" and "does not count towards the rate limit" (docs/fault-hook.md).
   */
  count(key: BudgetKey): void;
  /** Ms until `acquire(key)` would book at once (0: now). Waits nothing, books nothing. */
  readyIn(key: BudgetKey): number;
  /** Ms until `drain(key)` would return at once (0: now). Waits nothing, books nothing. */
  quietIn(key: BudgetKey): number;
  /** Waits until no request under `key` lies within the last window. Returns ms waited. */
  drain(key: BudgetKey): Promise<number>;
  /** The server refused under `key` until `seconds` (of the limits' clock) from now (its Retry-After). */
  block(key: BudgetKey, seconds: number): void;
  /** Requests booked per key label so far. */
  spent(): Record<string, number>;
}

export interface BudgetOptions {
  /** Slack added to every wait, for latency and clock skew. Default 250 ms. */
  marginMs?: number;
  /**
   * How long one second of the limits' clock lasts, in ms: their windows and every Retry-After
   * given to {@link Budget.block} count in these seconds. Default 1000; the embedded mock's
   * faster clock uses less (src/suite/config.ts `EMBEDDED_CLOCK`).
   */
  secondMs?: number;
  /** Told before every wait longer than a second, so the terminal can say what it waits for. */
  onWait?: (label: string, ms: number, why: string) => void;
  /** Told after every booking (the session records what has been spent). */
  onBook?: () => void;
  /**
   * Epoch ms of the run's deadline: no wait goes past it, and once it has passed `acquire`
   * returns at once without booking (the request will not be sent).
   */
  deadlineAt?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The slack the run adds to every wait of the limits (the budget's, the bursts'), for latency and
 * clock skew: a quarter of a second of the target's rate-limit clock (`secondMs` ms long, see
 * RunSettings.secondMs), so the embedded mock's faster clock gets a proportionate one; never
 * under 25 ms, a loaded machine's latency to the embedded mock.
 */
export function paceMarginMs(secondMs: number): number {
  return Math.max(25, secondMs / 4);
}

export function createBudget(
  limits: Record<string, RateLimit | null>,
  options: BudgetOptions = {},
): Budget {
  const marginMs = options.marginMs ?? 250;
  const secondMs = options.secondMs ?? 1000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? timerSleep;
  const deadlineAt = options.deadlineAt ?? Number.POSITIVE_INFINITY;
  const pastDeadline = () => now() >= deadlineAt;
  const known = new Map(Object.entries(limits));
  const sent = new Map<string, number[]>();
  const blockedUntil = new Map<string, number>();
  const totals = new Map<string, number>();
  const limitOf = (path: string): RateLimit | null => known.get(path) ?? null;
  const windowMsOf = (path: string): number => (limitOf(path)?.windowSeconds ?? 0) * secondMs;

  const logOf = (key: BudgetKey): number[] => {
    const label = keyLabel(key);
    let log = sent.get(label);
    if (!log) {
      log = [];
      sent.set(label, log);
    }
    const horizon = now() - windowMsOf(key.path) - marginMs;
    while (log.length > 0 && (log[0] ?? 0) <= horizon) log.shift();
    return log;
  };

  const wait = async (key: BudgetKey, wanted: number, why: string): Promise<number> => {
    const ms = Math.min(wanted, deadlineAt - now());
    if (ms <= 0) return 0;
    if (ms > 1000) options.onWait?.(keyLabel(key), ms, why);
    await sleep(ms);
    return ms;
  };

  const blockedFor = (key: BudgetKey): number => (blockedUntil.get(keyLabel(key)) ?? 0) - now();

  const tally = (key: BudgetKey): void => {
    const label = keyLabel(key);
    totals.set(label, (totals.get(label) ?? 0) + 1);
    options.onBook?.();
  };

  const book = (key: BudgetKey): void => {
    logOf(key).push(now());
    tally(key);
  };

  /** Ms until one more request under `key` fits the limit and no Retry-After holds it. */
  const readyIn = (key: BudgetKey): number => {
    const blocked = blockedFor(key);
    const limit = limitOf(key.path);
    const log = logOf(key);
    const slot =
      !limit || log.length < limit.requests
        ? 0
        : (log[0] ?? now()) + windowMsOf(key.path) + marginMs - now();
    return Math.max(0, blocked > 0 ? blocked + marginMs : 0, slot);
  };

  /** Ms until no request under `key` lies within the last window and no Retry-After holds it. */
  const quietIn = (key: BudgetKey): number => {
    if (!limitOf(key.path)) return 0;
    const blocked = blockedFor(key);
    const log = logOf(key);
    const last = log[log.length - 1];
    const quiet = last === undefined ? 0 : last + windowMsOf(key.path) + marginMs - now();
    return Math.max(0, blocked + (blocked > 0 ? marginMs : 0), quiet);
  };

  return {
    limitOf,
    learn(path, limit) {
      if (!limitOf(path)) known.set(path, limit);
    },
    async acquire(key) {
      let waited = 0;
      for (;;) {
        if (pastDeadline()) return waited;
        const blocked = blockedFor(key);
        if (blocked > 0) {
          waited += await wait(key, blocked + marginMs, 'the Retry-After of a 429');
          continue;
        }
        const limit = limitOf(key.path);
        const log = logOf(key);
        if (!limit || log.length < limit.requests) break;
        const oldest = log[0] ?? now();
        waited += await wait(
          key,
          oldest + windowMsOf(key.path) + marginMs - now(),
          `a free slot in the rate-limit window (${limit.requests} per ${limit.windowSeconds} s)`,
        );
      }
      book(key);
      return waited;
    },
    book,
    count: tally,
    readyIn,
    quietIn,
    async drain(key) {
      let waited = 0;
      if (!limitOf(key.path)) return 0;
      for (;;) {
        if (pastDeadline()) return waited;
        const ms = quietIn(key);
        if (ms <= 0) return waited;
        waited += await wait(key, ms, 'a fresh rate-limit window');
      }
    },
    block(key, seconds) {
      const label = keyLabel(key);
      const ms = Math.min(Math.max(0, seconds * secondMs), MAX_TIMER_MS);
      blockedUntil.set(label, Math.max(blockedUntil.get(label) ?? 0, now() + ms));
    },
    spent() {
      return Object.fromEntries(totals);
    },
  };
}

const DAY = '(Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** The three HTTP-date formats a recipient must accept (RFC 9110 §5.6.7). */
const HTTP_DATE = new RegExp(
  [
    `^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`,
    `^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`,
    `^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`,
  ].join('|'),
);

/**
 * Parses Retry-After (delta-seconds or HTTP-date, RFC 9110 §10.2.3) into seconds from now;
 * undefined if absent or not one of those forms (Date.parse alone would accept "1.5").
 */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!HTTP_DATE.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
