/** Fixed-window rate limiting, per (caller address, client id). */

import type { RateLimit } from '../types.ts';

export interface RateLimitVerdict {
  limited: boolean;
  /** Whole seconds until the key's window resets (at least 1). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one request for the key and says whether it is over the limit. */
  hit(key: string): RateLimitVerdict;
}

interface Window {
  start: number;
  count: number;
}

export function createRateLimiter(config: RateLimit, now: () => number = Date.now): RateLimiter {
  const windowMs = config.windowSeconds * 1000;
  const windows = new Map<string, Window>();
  let lastSweep = now();

  const sweep = (t: number): void => {
    if (t - lastSweep < windowMs) return;
    lastSweep = t;
    for (const [key, window] of windows) if (t >= window.start + windowMs) windows.delete(key);
  };

  return {
    hit(key) {
      const t = now();
      sweep(t);
      let window = windows.get(key);
      if (!window || t >= window.start + windowMs) {
        window = { start: t, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      const remainingMs = window.start + windowMs - t;
      return {
        limited: window.count > config.requests,
        retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)),
      };
    },
  };
}

/** The key of a request: caller address and the client id its Basic header names ('' if none). */
export function rateLimitKey(remoteAddress: string, clientId: string | undefined): string {
  return JSON.stringify([remoteAddress, clientId ?? '']);
}

/** "Resource /api/oauth/token is limited to 10 requests every 1 minutes." */
export function rateLimitDescription(resource: string, config: RateLimit): string {
  const every =
    config.windowSeconds % 60 === 0
      ? `${config.windowSeconds / 60} minutes`
      : `${config.windowSeconds} seconds`;
  return `Resource ${resource} is limited to ${config.requests} requests every ${every}.`;
}
