// The harness on real clients: the seed tutorial's three (simple-oauth2 + axios, requests-oauthlib,
// Go's x/oauth2 clientcredentials) and openid-client. Whatever the harness finds is asserted here
// and recorded in the README's table of findings: a change in a verdict is a change to review.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { packagePath } from '../src/paths.ts';
import { failedRequirementIds, readJunit, runCli, tempDir } from './support/cli.ts';

const PYTHON = '/usr/bin/python3';

interface RealClient {
  name: string;
  /** The program to run, or why it cannot run on this machine. */
  command: () => string[] | { missing: string };
  failed: string[];
  /** Testcases that must fail, and what their reason says. */
  findings: Record<string, RegExp>;
  /** Testcases that must pass. */
  passes: string[];
}

function pythonCommand(): string[] | { missing: string } {
  try {
    execFileSync(PYTHON, ['-c', 'import requests_oauthlib'], { stdio: 'ignore' });
  } catch {
    return {
      missing: `${PYTHON} cannot import requests_oauthlib (Debian python3-requests-oauthlib; .ci/run installs it)`,
    };
  }
  return [
    PYTHON,
    packagePath('examples', 'clients', 'python-requests-oauthlib', 'atlas_request.py'),
  ];
}

function goCommand(): string[] | { missing: string } {
  const out = join(tempDir('go-client'), 'client');
  try {
    execFileSync(
      'sh',
      [packagePath('examples', 'clients', 'go-clientcredentials', 'build.sh'), out],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, GOCACHE: join(tempDir('go-cache'), 'build') },
      },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    return { missing: `the Go client does not build here: ${stderr || (error as Error).message}` };
  }
  return [out];
}

const node = (name: string) => () => [
  process.execPath,
  packagePath('examples', 'clients', name, 'client.mjs'),
];

const CLIENTS: RealClient[] = [
  {
    name: 'node-simple-oauth2',
    command: node('node-simple-oauth2'),
    failed: ['client.revoke.body-ignored'],
    findings: {
      'client.revoke.body-ignored [revoke-bare-200]':
        /no Content-Type, and the program exited 1 .*The content-type is not JSON compatible/,
    },
    passes: [
      'client.token.reuse [normal]',
      'client.revoke.empty-200-success [revoke-at-end]',
      'client.token.renew-after-401 [revoked-mid-run]',
      'client.token.renew-after-expiry [short-lived-tokens]',
    ],
  },
  {
    name: 'python-requests-oauthlib',
    command: pythonCommand,
    failed: ['client.token.reuse'],
    findings: {
      'client.token.reuse [normal]': /2 of 3 token requests were not needed \(a token per call\)/,
    },
    passes: ['client.token.raw-client-id [normal]', 'client.revoke.body-ignored [revoke-bare-200]'],
  },
  {
    name: 'go-clientcredentials',
    command: goCommand,
    failed: ['client.token.renew-after-401'],
    findings: {
      'client.token.renew-after-401 [revoked-mid-run]':
        /asked for no new token and made no successful call; it exited 1/,
    },
    passes: ['client.token.reuse [normal]', 'client.token.renew-after-expiry [short-lived-tokens]'],
  },
  {
    name: 'node-openid-client',
    command: node('node-openid-client'),
    failed: ['client.resource.calls-succeed', 'client.token.raw-client-id'],
    findings: {
      'client.token.raw-client-id [normal]':
        /percent-encoded in Basic \("mdb%5Fsa%5Fid%5F[0-9a-f]+"\)/,
      'client.resource.calls-succeed [normal]': /0 of 3 resource calls answered 200/,
    },
    passes: ['client.retry.no-retry-on-client-error [normal]', 'client.token.basic-auth [normal]'],
  },
];

describe.concurrent('the harness on real clients', () => {
  for (const c of CLIENTS) {
    test(c.name, async ({ skip }) => {
      const command = c.command();
      if (!Array.isArray(command)) {
        // .ci/run installs what the clients need: there, a missing one is a failure, not a skip.
        if (process.env.CI === 'true') throw new Error(command.missing);
        return skip(command.missing);
      }
      const reports = tempDir(`client-${c.name}`);
      const result = await runCli(['client', '--reports', reports, '--', ...command], {}, 180_000);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      const cases = readJunit(join(reports, 'junit.xml'));
      expect(failedRequirementIds(cases), result.stdout).toEqual(c.failed);
      for (const [name, reason] of Object.entries(c.findings)) {
        const testcase = cases.find((candidate) => candidate.name === name);
        expect(testcase?.state, name).toBe('failed');
        expect(testcase?.failure, name).toMatch(reason);
      }
      for (const name of c.passes) {
        expect(cases.find((candidate) => candidate.name === name)?.state, name).toBe('passed');
      }
      expect(existsSync(join(reports, 'index.html'))).toBe(true);
    });
  }
});
