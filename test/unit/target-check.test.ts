// Plain http only to loopback: decided on what a name resolves to, every address of it, never on
// its spelling (issue 15, item 13: `*.localhost` passed by name).
import { describe, expect, test } from 'vitest';
import { ConformanceError } from '../../src/shared/errors.ts';
import { ensureSafeTransport, isLoopbackAddress } from '../../src/target/target-check.ts';

const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address }));
const unresolvable = async (): Promise<{ address: string }[]> => {
  throw new Error('ENOTFOUND');
};

async function refusal(target: string, resolve = unresolvable): Promise<string> {
  try {
    await ensureSafeTransport(target, false, resolve);
  } catch (error) {
    expect(error).toBeInstanceOf(ConformanceError);
    expect((error as ConformanceError).code).toBe('TARGET_INVALID');
    return (error as Error).message;
  }
  throw new Error(`${target} was not refused`);
}

describe('isLoopbackAddress', () => {
  test.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['0.0.0.0', false],
  ])('%s: %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });
});

describe('ensureSafeTransport', () => {
  test('https is not its business', async () => {
    await expect(
      ensureSafeTransport('https://example.com', false, unresolvable),
    ).resolves.toBeUndefined();
  });

  test('a name that resolves to loopback only passes', async () => {
    await expect(
      ensureSafeTransport('http://localhost:8080', false, resolvesTo('127.0.0.1', '::1')),
    ).resolves.toBeUndefined();
  });

  test('evil.localhost that resolves elsewhere does not pass by its spelling', async () => {
    expect(await refusal('http://evil.localhost:8080', resolvesTo('203.0.113.7'))).toContain(
      'evil.localhost resolves to 203.0.113.7',
    );
  });

  test('a name with one loopback address and one other is refused', async () => {
    expect(await refusal('http://mixed.localhost', resolvesTo('127.0.0.1', '10.1.2.3'))).toContain(
      'resolves to 10.1.2.3',
    );
  });

  test('a name that does not resolve cannot be shown to be loopback', async () => {
    expect(await refusal('http://127.0.0.1.nip.io')).toContain(
      '127.0.0.1.nip.io does not resolve, so it cannot be shown to be loopback',
    );
  });

  test('an address that is not loopback', async () => {
    expect(await refusal('http://10.0.0.1:8080')).toContain('10.0.0.1 is not a loopback address');
  });

  test('--allow-insecure-http lets it through', async () => {
    await expect(
      ensureSafeTransport('http://10.0.0.1', true, unresolvable),
    ).resolves.toBeUndefined();
  });
});
