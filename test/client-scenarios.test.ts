// The failure scenarios real clients trip on (issue 19): the active-token limit, a secret rotated
// mid-run, a 500 without Retry-After, a reset connection, a token refused before its expiry.
// Deliberately careless programs (test/fixtures/clients/faults.mjs) fail exactly the judgements
// each breaks, on its scenario; the correct programs pass them.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getClientCatalog } from '../src/client-harness/run.ts';
import { requirementsFor } from '../src/client-harness/specs.ts';
import { packagePath } from '../src/shared/paths.ts';
import { failedRequirementIds, readJunit, runCli, tempDir } from './support/cli.ts';

const fixture = (name: string) => packagePath('test', 'fixtures', 'clients', name);
const FAULTS = fixture('faults.mjs');
const SEQUENTIAL = fixture('sequential.mjs');

const NEW_SCENARIOS = [
  'token-limit-reached',
  'secret-rotated',
  'server-error-first',
  'connection-reset-first',
  'refused-before-expiry',
];

async function judge(scenario: string, program: string[]) {
  const reports = tempDir(`client-${scenario}`);
  const result = await runCli(
    // --strict: the judgements these scenarios add are `observed`, so without it a miss warns.
    [
      'client',
      '--strict',
      '--scenario',
      scenario,
      '--reports',
      reports,
      '--',
      process.execPath,
      ...program,
    ],
    {},
    120_000,
  );
  const cases = readJunit(join(reports, 'junit.xml'));
  return { result, cases, why: result.stdout + result.stderr };
}

describe('the failure scenarios are data with their judgements', () => {
  test.each(NEW_SCENARIOS)('%s is in the catalog and judges its own requirements', (name) => {
    const catalog = getClientCatalog();
    const scenario = catalog.scenarios.find((s) => s.name === name);
    expect(scenario?.title).toBeTruthy();
    const specific = requirementsFor(catalog, name).filter((r) => !r.scenarios.includes('*'));
    expect(specific.length, name).toBeGreaterThan(0);
    for (const r of specific) expect(r.sources.length, r.id).toBeGreaterThan(0);
  });
});

// One program at a time: an immediate retry must stay immediate on a loaded machine.
describe('careless programs fail exactly what they break', () => {
  test.each([
    // a token per call, asking again and again after the limit's 403
    [
      'token-limit-reached',
      'mint-loop',
      [
        'client.retry.bounded',
        'client.token-limit.keeps-working',
        'client.token-limit.stops-minting',
        'client.token.reuse',
      ],
    ],
    // a token per call, but at the limit it goes on with the token it holds
    ['token-limit-reached', 'fallback-live', ['client.token.reuse']],
    ['secret-rotated', 'retry-401', ['client.retry.no-retry-on-client-error']],
    ['secret-rotated', 'exit-0', ['client.fails-cleanly']],
    ['server-error-first', 'fixed-retry', ['client.retry.backoff']],
    [
      'server-error-first',
      'immediate-retry',
      ['client.retry.backoff', 'client.retry.no-tight-loop'],
    ],
    ['server-error-first', 'exit-0', ['client.exit-status.honest']],
    ['connection-reset-first', 'immediate-retry', ['client.retry.no-tight-loop']],
    ['connection-reset-first', 'exit-0', ['client.exit-status.honest']],
    ['refused-before-expiry', 'no-renew', ['client.token.renew-after-401']],
  ])('%s: faults.mjs %s fails %j', { timeout: 150_000 }, async (scenario, mode, expected) => {
    const { result, cases, why } = await judge(scenario, [FAULTS, mode]);
    expect(result.code, why).toBe(1);
    expect(failedRequirementIds(cases), why).toEqual(expected);
  });

  test.each([
    ['faults.mjs backoff', [FAULTS, 'backoff']],
    ['sequential.mjs honour', [SEQUENTIAL, 'honour']],
    ['parallel.mjs', [fixture('parallel.mjs')]],
  ])('%s passes every failure scenario', { timeout: 150_000 }, async (_name, program) => {
    const reports = tempDir('client-faults-ok');
    const result = await runCli(
      [
        'client',
        '--strict',
        ...NEW_SCENARIOS.flatMap((name) => ['--scenario', name]),
        '--reports',
        reports,
        '--',
        process.execPath,
        ...program,
      ],
      {},
      120_000,
    );
    const cases = readJunit(join(reports, 'junit.xml'));
    expect(result.code, result.stdout).toBe(0);
    expect(failedRequirementIds(cases), result.stdout).toEqual([]);
  });

  test('the retrying program is judged on its retries: growing delays, one at most immediate', async () => {
    const { result, cases, why } = await judge('server-error-first', [FAULTS, 'backoff']);
    expect(result.code, why).toBe(0);
    const backoff = cases.find((c) => c.name === 'client.retry.backoff [server-error-first]');
    expect(backoff?.state, why).toBe('passed');
    expect(backoff?.properties.note, why).toMatch(/^retried after \d\.\d{3} s, \d\.\d{3} s$/);
  });

  test('a reset is recorded as the mock reset, not as the program giving up', async () => {
    const { result, cases, why } = await judge('connection-reset-first', [
      FAULTS,
      'immediate-retry',
    ]);
    const loop = cases.find(
      (c) => c.name === 'client.retry.no-tight-loop [connection-reset-first]',
    );
    expect(loop?.failure, why).toMatch(
      /token request #3 came \d\.\d{3} s after token request #2 was reset/,
    );
    expect(loop?.failure, why).toMatch(/no answer: the mock reset the connection at \+\d\.\d{3} s/);
    expect(result.stdout).toMatch(/3 token \(2 unanswered\)/);
  });

  test('the limit scenario says where its condition comes from, at its level', async () => {
    const { cases, why } = await judge('token-limit-reached', [FAULTS, 'mint-loop']);
    const stops = cases.find(
      (c) => c.name === 'client.token-limit.stops-minting [token-limit-reached]',
    );
    expect(stops?.failure, why).toMatch(
      /after the 403 access_denied \("Access Token limit reached"\) to token request #\d+ reached the program/,
    );
    expect(stops?.failure, why).toMatch(
      /scenario's condition \(observed\): seeds-README\.md( \([^)]*\))?: "a service account may hold at most 100 active tokens/,
    );
    expect(stops?.properties.level).toBe('observed');
  });
});
