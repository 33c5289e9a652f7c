// The reports people and CI read: JUnit valid against the Jenkins schema, stable names, the
// properties each testcase carries, the JSON result against its schema.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { validate } from '../src/contract/schemas.ts';
import { type MockHandle, startMock } from '../src/mock/index.ts';
import { BROKEN_VARIANTS, VARIANT_SEED } from './support/broken-mocks.ts';
import { runSuite, type SuiteRun } from './support/cli.ts';

// The Jenkins xunit plugin's schema (MIT, its licence in the file), kept here so the test needs no outside file.
const XSD = join(import.meta.dirname, 'fixtures', 'junit-10.xsd');
const LIMIT = { requests: 10, windowSeconds: 2 };

const mocks: MockHandle[] = [];
afterAll(async () => {
  await Promise.all(mocks.map((mock) => mock.close()));
});

/** A run with every kind of testcase: failures (wrong error code), skips (no fault hook, no fixtures), passes. */
async function mixedRun(name: string, seed: string): Promise<SuiteRun> {
  const variant = BROKEN_VARIANTS.find((candidate) => candidate.name === 'wrong-error-code');
  const mock = await startMock({ rateLimit: LIMIT, seed: VARIANT_SEED, ...variant?.options });
  mocks.push(mock);
  const config = {
    accounts: { primary: mock.accounts.primary },
    rateLimit: LIMIT,
    revokeRateLimit: LIMIT,
  };
  return runSuite(name, mock.url, config, ['--seed', seed]);
}

describe('reports', () => {
  let first: SuiteRun;

  test('junit.xml is valid against the Jenkins junit-10.xsd [failures, skips and passes]', async () => {
    first = await mixedRun('junit-valid', '7');
    expect(first.code).toBe(1);
    const states = new Set(first.cases.map((c) => c.state));
    expect(states).toEqual(new Set(['passed', 'failed', 'skipped']));
    if (!existsSync('/usr/bin/xmllint') || !existsSync(XSD)) {
      throw new Error('xmllint is needed (Debian libxml2-utils; .ci/run installs it)');
    }
    const out = execFileSync(
      '/usr/bin/xmllint',
      ['--noout', '--schema', XSD, join(first.reports, 'junit.xml')],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(out).toBe('');
  });

  test('every testcase carries requirement, level, source, trigger, target, profile and seed', () => {
    for (const c of first.cases) {
      for (const name of [
        'requirement',
        'level',
        'source',
        'trigger',
        'target',
        'profile',
        'seed',
      ]) {
        expect(c.properties[name], `${c.name} ${name}`).toBeTruthy();
      }
      expect(c.properties.seed).toBe('7');
    }
  });

  test('a skipped testcase says why; a failed one shows its redacted exchange', () => {
    const xml = readFileSync(join(first.reports, 'junit.xml'), 'utf8');
    expect(xml).toMatch(/<skipped message="trigger fault: the target has no fault hook/);
    expect(xml).toMatch(/<skipped message="trigger fixture: no accessDenied account is configured/);
    const failed = first.cases.find((c) => c.name === 'token.invalid_client.401 [wrong secret]');
    expect(failed?.state).toBe('failed');
    expect(failed?.failure).toContain('expected 401 invalid_client, got 401 invalid_request');
    expect(failed?.failure).toContain('> authorization: Basic [REDACTED]');
  });

  test('the suite properties count the requests spent on each rate-limited path', () => {
    const xml = readFileSync(join(first.reports, 'junit.xml'), 'utf8');
    const token = Number(/<property name="requests\.token" value="(\d+)"/.exec(xml)?.[1]);
    const revoke = Number(/<property name="requests\.revoke" value="(\d+)"/.exec(xml)?.[1]);
    expect(token).toBeGreaterThan(10);
    expect(revoke).toBeGreaterThan(10);
  });

  test('testcase names are the same on every run [another seed]', async () => {
    const second = await mixedRun('junit-stable', '8');
    expect(second.cases.map((c) => c.name)).toEqual(first.cases.map((c) => c.name));
    expect(new Set(first.cases.map((c) => c.name)).size).toBe(first.cases.length);
  });

  test('result.json is valid against schemas/result.schema.json and agrees with the JUnit file', () => {
    const result = JSON.parse(readFileSync(join(first.reports, 'result.json'), 'utf8')) as {
      totals: Record<string, number>;
      testcases: { name: string; outcome: string }[];
    };
    expect(validate('urn:oauth-conformance:schemas:result', result).errors).toEqual([]);
    expect(result.testcases.map((c) => c.name).sort()).toEqual(
      first.cases.map((c) => c.name).sort(),
    );
    expect(result.totals.failed).toBe(first.cases.filter((c) => c.state === 'failed').length);
  });
});
