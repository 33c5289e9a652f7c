// The limit a 429 states, read from each place it may be stated (issue 18): words, the ApiError's
// parameters, the RateLimit headers; bounded, and their disagreements named.
import { describe, expect, test } from 'vitest';
import { disagreements, statedLimits } from '../../src/suite/rate-limit-stated.ts';
import type { HttpResponse } from '../../src/target/http.ts';

function limited(body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status: 429, headers, body: JSON.stringify(body), truncated: false };
}

const LIVE = {
  detail: 'Resource /api/oauth/token is limited to 10 requests every 1 minutes.',
  error: 429,
  errorCode: 'RATE_LIMITED',
  parameters: ['/api/oauth/token', 10, 1],
  reason: 'Too Many Requests',
};

describe('statedLimits', () => {
  test('statedLimits [the live ApiError: words and parameters]', () => {
    expect(statedLimits(limited(LIVE))).toEqual({
      words: { requests: 10, windowSeconds: 60 },
      parameters: { requests: 10, windowSeconds: 60 },
    });
  });

  test('statedLimits [RateLimit-Limit with a w= window, RateLimit-Remaining]', () => {
    expect(
      statedLimits(limited({}, { 'ratelimit-limit': '100, 100;w=60', 'ratelimit-remaining': '0' }))
        .headers,
    ).toEqual({ requests: 100, windowSeconds: 60, remaining: 0 });
    expect(
      statedLimits(limited({}, { 'ratelimit-limit': '50', 'ratelimit-policy': '50;w=3600' }))
        .headers,
    ).toEqual({ requests: 50, windowSeconds: 3600 });
  });

  test('statedLimits [nothing stated, bad values ignored]', () => {
    expect(statedLimits(limited({ parameters: ['/x', -1, 'a'] }))).toEqual({});
    expect(statedLimits(limited({ parameters: ['/x', 1e12] }))).toEqual({});
    expect(statedLimits(limited({}, { 'ratelimit-limit': 'many' }))).toEqual({});
    expect(statedLimits({ status: 429, headers: {}, body: 'not json', truncated: false })).toEqual(
      {},
    );
  });
});

describe('disagreements', () => {
  test('disagreements [none when all agree, or windows are unknown]', () => {
    expect(
      disagreements({
        words: { requests: 10, windowSeconds: 60 },
        parameters: { requests: 10 },
        headers: { requests: 10, remaining: 0 },
      }),
    ).toEqual([]);
  });

  test('disagreements [the live service stated 50 where the page says 10]', () => {
    expect(
      disagreements({
        words: { requests: 10, windowSeconds: 60 },
        parameters: { requests: 50, windowSeconds: 60 },
        headers: { requests: 50, windowSeconds: 120 },
      }),
    ).toEqual([
      'the words state 10 per 60 s where the parameters state 50 per 60 s',
      'the words state 10 per 60 s where RateLimit-Limit states 50 per 120 s',
      'the parameters state 50 per 60 s where RateLimit-Limit states 50 per 120 s',
    ]);
  });
});
