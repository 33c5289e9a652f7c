/**
 * The request budget: paces requests to a rate-limited path so that only the rate-limit case
 * ever sees a 429. A sliding log per key (path and service account) keeps at most `requests`
 * sends in any `windowSeconds`, which keeps under a server's limit however its windows are
 * aligned.
 */
import type { RateLimit } from './types.ts';

export interface Budget {
  readonly limit: RateLimit | null;
  /** Waits until one more request under `key` fits the limit, and books it. Returns ms waited. */
  acquire(key: string): Promise<number>;
  /** Books a request sent without waiting (the rate-limit case's deliberate burst). */
  book(key: string): void;
  /** Waits until no request under `key` lies within the last window. Returns ms waited. */
  drain(key: string): Promise<number>;
  /** The server refused under `key` until `seconds` from now (its Retry-After). */
  block(key: string, seconds: number): void;
  /** Requests booked per key so far. */
  spent(): Record<string, number>;
}

export interface BudgetOptions {
  /** Slack added to every wait, for latency and clock skew. Default 250 ms. */
  marginMs?: number;
  /** Told before every wait longer than a second, so the terminal can say what it waits for. */
  onWait?: (key: string, ms: number, why: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function createBudget(limit: RateLimit | null, options: BudgetOptions = {}): Budget {
  const marginMs = options.marginMs ?? 250;
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const sent = new Map<string, number[]>();
  const blockedUntil = new Map<string, number>();
  const totals = new Map<string, number>();
  const windowMs = limit ? limit.windowSeconds * 1000 : 0;

  const logOf = (key: string): number[] => {
    let log = sent.get(key);
    if (!log) {
      log = [];
      sent.set(key, log);
    }
    const horizon = now() - windowMs - marginMs;
    while (log.length > 0 && (log[0] ?? 0) <= horizon) log.shift();
    return log;
  };

  const wait = async (key: string, ms: number, why: string): Promise<number> => {
    if (ms <= 0) return 0;
    if (ms > 1000) options.onWait?.(key, ms, why);
    await sleep(ms);
    return ms;
  };

  const book = (key: string): void => {
    logOf(key).push(now());
    totals.set(key, (totals.get(key) ?? 0) + 1);
  };

  return {
    limit,
    async acquire(key) {
      let waited = 0;
      if (!limit) {
        book(key);
        return 0;
      }
      for (;;) {
        const blocked = (blockedUntil.get(key) ?? 0) - now();
        if (blocked > 0) {
          waited += await wait(key, blocked + marginMs, 'the Retry-After of a 429');
          continue;
        }
        const log = logOf(key);
        if (log.length < limit.requests) break;
        const oldest = log[0] ?? now();
        waited += await wait(
          key,
          oldest + windowMs + marginMs - now(),
          `a free slot in the rate-limit window (${limit.requests} per ${limit.windowSeconds} s)`,
        );
      }
      book(key);
      return waited;
    },
    book,
    async drain(key) {
      let waited = 0;
      if (!limit) return 0;
      for (;;) {
        const blocked = (blockedUntil.get(key) ?? 0) - now();
        const log = logOf(key);
        const last = log[log.length - 1];
        const quiet = last === undefined ? 0 : last + windowMs + marginMs - now();
        const ms = Math.max(blocked + (blocked > 0 ? marginMs : 0), quiet);
        if (ms <= 0) return waited;
        waited += await wait(key, ms, 'a fresh rate-limit window');
      }
    },
    block(key, seconds) {
      blockedUntil.set(key, Math.max(blockedUntil.get(key) ?? 0, now() + seconds * 1000));
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
