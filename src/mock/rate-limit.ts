/**
 * Fixed-window rate limiting, per (caller address, client id), in bounded memory.
 *
 * Every request counts, before authentication, so the key comes from whatever the caller sent.
 * Two pools keep the windows apart:
 * - `accounts`: requests naming a configured account's client id, keyed by address and account.
 *   Strangers cannot touch these windows, so the documented limit stays exact for the accounts.
 * - `others`: every other request (an unknown client id, or none), keyed by address and a 128-bit
 *   digest of the id, so that a key is small whatever the id's length.
 * Each pool holds at most `maxKeys` windows. Expired windows are dropped as they expire. A request
 * whose key has no window while its pool is full is counted in the pool's one overflow window
 * (the same limit): under a flood of distinct keys, new callers share one window and soon get
 * 429, while keys that have a window keep it, exact. (A caller counted in the overflow window
 * gets a window of its own, from zero, once a slot frees.)
 */

import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Accounts, RateLimit } from '../shared/types.ts';
import { roleOf } from './accounts.ts';

/** Windows one pool of one limiter holds at most (the overflow window aside). */
export const MAX_RATE_LIMIT_KEYS = 10_000;

export interface RateLimitVerdict {
  limited: boolean;
  /** Whole seconds (of the limit's clock) until the key's window resets (at least 1). */
  retryAfterSeconds: number;
}

export type RateLimitPool = 'accounts' | 'others';

export interface RateLimitPoolStats {
  /** Windows held, the overflow window aside. */
  keys: number;
  /** Characters of all their keys together. */
  keyCharacters: number;
}

export interface RateLimiter {
  /**
   * Counts one request from `remoteAddress` naming `clientId` (`undefined`: no decodable Basic
   * header, counted as the empty id) and says whether it is over the limit.
   */
  hit(remoteAddress: string, clientId: string | undefined): RateLimitVerdict;
  /** What each pool holds (tests, and the bounds the README states). */
  stats(): Record<RateLimitPool, RateLimitPoolStats>;
}

export interface RateLimiterOptions {
  /** Windows per pool. Default {@link MAX_RATE_LIMIT_KEYS}. */
  maxKeys?: number;
  /**
   * How long one second of the limit's clock lasts, in ms: the window and the Retry-After count
   * in these seconds. Default 1000 (see MockOptions.secondMs).
   */
  secondMs?: number;
  /** Monotonic clock in milliseconds (tests). Default `performance.now`. */
  now?: () => number;
}

interface Window {
  start: number;
  count: number;
}

/** One pool: windows in the order they started, so that expired ones are always at the front. */
function createPool(windowMs: number, maxKeys: number) {
  const windows = new Map<string, Window>();
  let overflow: Window = { start: Number.NEGATIVE_INFINITY, count: 0 };
  const expired = (window: Window, t: number) => t >= window.start + windowMs;

  return {
    stats(): RateLimitPoolStats {
      let keyCharacters = 0;
      for (const key of windows.keys()) keyCharacters += key.length;
      return { keys: windows.size, keyCharacters };
    },
    hit(key: string, t: number): Window {
      for (const [oldest, window] of windows) {
        if (!expired(window, t)) break;
        windows.delete(oldest);
      }
      let window = windows.get(key);
      if (window && expired(window, t)) {
        // Re-inserted at the end, where windows that start now belong.
        windows.delete(key);
        window = undefined;
      }
      if (!window) {
        if (windows.size >= maxKeys) {
          if (expired(overflow, t)) overflow = { start: t, count: 0 };
          window = overflow;
        } else {
          window = { start: t, count: 0 };
          windows.set(key, window);
        }
      }
      window.count += 1;
      return window;
    },
  };
}

/** A 128-bit digest of a client id: the key of a caller the mock does not know, whatever its size. */
function digest(clientId: string): string {
  return createHash('sha256')
    .update(clientId, 'utf8')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

/**
 * A limiter of `config.requests` per `config.windowSeconds` for each (caller address, client id),
 * holding at most `2 × maxKeys` windows however many distinct callers and ids it sees.
 */
export function createRateLimiter(
  config: RateLimit,
  accounts: Required<Accounts>,
  options: RateLimiterOptions = {},
): RateLimiter {
  const secondMs = options.secondMs ?? 1000;
  const windowMs = config.windowSeconds * secondMs;
  const maxKeys = options.maxKeys ?? MAX_RATE_LIMIT_KEYS;
  const now = options.now ?? (() => performance.now());
  const pools = { accounts: createPool(windowMs, maxKeys), others: createPool(windowMs, maxKeys) };

  return {
    hit(remoteAddress, clientId) {
      const t = now();
      const role = clientId === undefined ? undefined : roleOf(accounts, clientId);
      const window = role
        ? pools.accounts.hit(`${remoteAddress} ${role}`, t)
        : pools.others.hit(`${remoteAddress} ${digest(clientId ?? '')}`, t);
      const remainingMs = window.start + windowMs - t;
      return {
        limited: window.count > config.requests,
        retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / secondMs)),
      };
    },
    stats: () => ({ accounts: pools.accounts.stats(), others: pools.others.stats() }),
  };
}

/** "Resource /api/oauth/token is limited to 10 requests every 1 minutes." */
export function rateLimitDescription(resource: string, config: RateLimit): string {
  const every =
    config.windowSeconds % 60 === 0
      ? `${config.windowSeconds / 60} minutes`
      : `${config.windowSeconds} seconds`;
  return `Resource ${resource} is limited to ${config.requests} requests every ${every}.`;
}
