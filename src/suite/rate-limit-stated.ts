/**
 * Every place a 429 states its limit (issue 18): the words of error_description or of the
 * ApiError's detail ("limited to 10 requests every 1 minutes"), the ApiError's `parameters`
 * (`[path, N, minutes]`, as the live service sends them), and the RateLimit-Limit and
 * RateLimit-Remaining headers Atlas documents on its API's 429s (with a window from `w=`, in
 * RateLimit-Limit or RateLimit-Policy, when given). The limit is configuration, not a constant:
 * each place is read, none is trusted, and where two disagree the run says so.
 */

import type { RateLimit } from '../shared/types.ts';
import type { HttpResponse } from '../target/http.ts';
import { statedLimit } from './rate-limit-text.ts';

/** What the 429's headers state. */
export interface HeaderLimit {
  requests: number;
  /** From a `w=` parameter, when one is given. */
  windowSeconds?: number;
  /** RateLimit-Remaining, when given. */
  remaining?: number;
}

/** The limit as each place states it; a place that states none is absent. */
export interface StatedLimits {
  words?: RateLimit;
  /** From `parameters: [path, N, minutes]`: the window only when the third is a whole number of minutes. */
  parameters?: { requests: number; windowSeconds?: number };
  headers?: HeaderLimit;
}

/** Numbers a target states are bounded: a limit past this is not a limit anyone configures. */
const MAX_STATED = 1_000_000_000;

const wholeNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_STATED
    ? value
    : undefined;

/** The leading whole number of a header value, and its `w=` window if it has one. */
function headerNumber(value: string | undefined): { n: number; w?: number } | undefined {
  if (value === undefined) return undefined;
  const text = value.slice(0, 200);
  const n = /^\s*(\d{1,10})\b/.exec(text)?.[1];
  if (n === undefined || Number(n) > MAX_STATED) return undefined;
  const w = /;\s*w\s*=\s*(\d{1,10})\b/i.exec(text)?.[1];
  return w === undefined || Number(w) > MAX_STATED
    ? { n: Number(n) }
    : { n: Number(n), w: Number(w) };
}

/** The limit as the 429's words, `parameters` and headers state it. */
export function statedLimits(response: HttpResponse): StatedLimits {
  const stated: StatedLimits = {};
  const words = statedLimit(response.body);
  if (words) stated.words = words;
  try {
    const body = JSON.parse(response.body) as { parameters?: unknown } | null;
    const parameters = Array.isArray(body?.parameters) ? body.parameters : undefined;
    const requests = wholeNumber(parameters?.[1]);
    if (requests !== undefined) {
      const minutes = wholeNumber(parameters?.[2]);
      stated.parameters =
        minutes === undefined || minutes === 0
          ? { requests }
          : { requests, windowSeconds: minutes * 60 };
    }
  } catch {
    // Not JSON: no parameters.
  }
  const limit = headerNumber(response.headers['ratelimit-limit']);
  if (limit) {
    const policy = headerNumber(response.headers['ratelimit-policy']);
    const window = limit.w ?? policy?.w;
    const remaining = headerNumber(response.headers['ratelimit-remaining'])?.n;
    stated.headers = {
      requests: limit.n,
      ...(window === undefined ? {} : { windowSeconds: window }),
      ...(remaining === undefined ? {} : { remaining }),
    };
  }
  return stated;
}

const PLACES = { words: 'the words', parameters: 'the parameters', headers: 'RateLimit-Limit' };

function shown(limit: { requests: number; windowSeconds?: number }): string {
  return limit.windowSeconds === undefined
    ? `${limit.requests} requests`
    : `${limit.requests} per ${limit.windowSeconds} s`;
}

/** Where two places state different limits (counts, or windows both give), one phrase each. */
export function disagreements(stated: StatedLimits): string[] {
  const places = (Object.keys(PLACES) as (keyof typeof PLACES)[]).flatMap((key) => {
    const limit = stated[key];
    return limit ? [{ key, limit }] : [];
  });
  const found: string[] = [];
  for (let i = 0; i < places.length; i++) {
    for (let j = i + 1; j < places.length; j++) {
      const a = places[i];
      const b = places[j];
      if (!a || !b) continue;
      const windows =
        a.limit.windowSeconds !== undefined && b.limit.windowSeconds !== undefined
          ? a.limit.windowSeconds !== b.limit.windowSeconds
          : false;
      if (a.limit.requests !== b.limit.requests || windows)
        found.push(
          `${PLACES[a.key]} state ${shown(a.limit)} where ${PLACES[b.key]} state${b.key === 'headers' ? 's' : ''} ${shown(b.limit)}`,
        );
    }
  }
  const remaining = stated.headers?.remaining;
  if (remaining !== undefined && remaining > 0)
    found.push(
      `RateLimit-Remaining is ${remaining} on a 429, which says the limit was not reached`,
    );
  return found;
}

/** The places that state a limit, as a phrase: "the words, the parameters". */
export function statedPlaces(stated: StatedLimits): string {
  return (Object.keys(PLACES) as (keyof typeof PLACES)[])
    .filter((key) => stated[key])
    .map((key) => PLACES[key])
    .join(', ');
}
