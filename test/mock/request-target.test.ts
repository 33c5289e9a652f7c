// The mock splits plain request targets itself (issue 17: a URL per request costs under load);
// whatever the target, it must read it exactly as `new URL` against a dummy origin does.
import { describe, expect, it } from 'vitest';
import { requestTarget } from '../../src/mock/server.ts';

describe('requestTarget', () => {
  it.each([
    '/',
    '/api/oauth/token',
    '/api/oauth/token?',
    '/api/oauth/token?pretty=true&envelope=TRUE',
    '/api/atlas/v2/?a=b&c=%20d+e',
    '/a//b',
    '/a/../b',
    '/a/./b',
    '/%2e%2e/x',
    '//evil/x',
    '/x?y=<z>',
    '/x y',
    '/é?q=é',
    '/a?b#c',
  ])('%j reads as new URL reads it', (target) => {
    const mine = requestTarget(target);
    const url = new URL(target, 'http://mock.invalid');
    expect([mine.pathname, mine.search, mine.searchParams.toString()]).toEqual([
      url.pathname,
      url.search,
      url.searchParams.toString(),
    ]);
  });
});
