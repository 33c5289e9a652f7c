// Canary: a run with recognisable secrets, against a mock broken so that failures carry full
// exchanges (token responses, Basic headers), writes none of them anywhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { type MockHandle, startMock } from '../src/mock/index.ts';
import { basicCredentials } from '../src/shared/redact.ts';
import { BROKEN_VARIANTS } from './support/broken-mocks.ts';
import { decodeXml, runSuite } from './support/cli.ts';

const CANARIES = {
  primary: {
    clientId: 'mdb_sa_id_0123456789abcdef01234567',
    clientSecret: 'CANARY-primary-s3cr3t-7f3a9c1e5b',
  },
  secondary: {
    clientId: 'mdb_sa_id_1123456789abcdef01234567',
    clientSecret: 'CANARY-secondary-s3cr3t-2d4e6f',
  },
  accessDenied: {
    clientId: 'mdb_sa_id_2123456789abcdef01234567',
    clientSecret: 'CANARY-denied-s3cr3t-8b9c0d',
  },
  invalidGrant: {
    clientId: 'mdb_sa_id_3123456789abcdef01234567',
    clientSecret: 'CANARY-grant-s3cr3t-1a2b3c',
  },
};

function forbiddenStrings(): string[] {
  return Object.values(CANARIES).flatMap(({ clientId, clientSecret }) => {
    const basic = basicCredentials(clientId, clientSecret);
    return [
      clientSecret,
      Buffer.from(clientSecret).toString('base64'),
      Buffer.from(clientSecret).toString('base64url'),
      encodeURIComponent(clientSecret),
      basic,
      basic.replace(/=+$/, ''),
    ];
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const byName = (name: string) => BROKEN_VARIANTS.find((variant) => variant.name === name);
const tamperTokenType = byName('token-type-lowercase')?.options.tamper;
const tamperErrorCode = byName('wrong-error-code')?.options.tamper;

let mock: MockHandle | undefined;
afterAll(async () => {
  await mock?.close();
});

test('no secret, Basic value or access token reaches stdout, stderr, reports or the journal', async () => {
  mock = await startMock({
    accounts: CANARIES,
    rateLimit: { requests: 10, windowSeconds: 2 },
    tamper: (res, req) => tamperErrorCode?.(tamperTokenType?.(res, req) ?? res, req) ?? res,
  });
  const config = {
    accounts: CANARIES,
    rateLimit: { requests: 10, windowSeconds: 2 },
    revokeRateLimit: { requests: 10, windowSeconds: 2 },
    faultHook: true,
  };
  const result = await runSuite('canary', mock.url, config);
  const { reports } = result;
  // The broken mock makes testcases fail, so their exchanges are in the report.
  expect(result.code).toBe(1);
  const outputs: [string, string][] = [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
    ['journal', JSON.stringify(mock.journal())],
    ...filesUnder(reports).map((path): [string, string] => [
      path,
      decodeXml(readFileSync(path, 'utf8')),
    ]),
  ];
  const junit = outputs.find(([name]) => name.endsWith('junit.xml'))?.[1] ?? '';
  expect(junit).toContain('authorization: Basic [REDACTED]');
  expect(junit).toContain('"access_token":"[REDACTED]"');
  const hits: string[] = [];
  for (const [name, text] of outputs) {
    for (const secret of forbiddenStrings())
      if (text.includes(secret)) hits.push(`${name}: ${secret.slice(0, 12)}…`);
    // Every access token the mock issues is a JWT; none may appear, in any file.
    const jwt = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\./.exec(text);
    if (jwt) hits.push(`${name}: a JWT`);
  }
  expect(hits).toEqual([]);
});

// A token endpoint that answers application/x-www-form-urlencoded (as GitHub's does without an
// Accept header) with opaque tokens, not JWTs: the suite fails the body ("not JSON; it starts
// with ...") and must not quote the token while doing so (repro/form-token-leak.ts).
test('an opaque token in a form-encoded answer reaches no output', async () => {
  const opaque: string[] = [];
  let counter = 0;
  const formMock = await startMock({
    accounts: CANARIES,
    rateLimit: { requests: 10, windowSeconds: 2 },
    tamper: (res, req) => {
      if (req.path !== '/api/oauth/token' || res.status !== 200) return res;
      counter += 1;
      const token = `gho_CANARY${String(counter).padStart(4, '0')}opaque7f3a9c`;
      const refresh = `ghr_CANARY${String(counter).padStart(4, '0')}refresh2d4e6f`;
      opaque.push(token, refresh);
      const body = `access_token=${token}&refresh_token=${refresh}&token_type=bearer&scope=`;
      return {
        ...res,
        headers: { ...res.headers, 'Content-Type': 'text/plain' },
        body: Buffer.from(body),
      };
    },
  });
  try {
    const result = await runSuite(
      'canary-form',
      formMock.url,
      {
        accounts: CANARIES,
        rateLimit: { requests: 10, windowSeconds: 2 },
        revokeRateLimit: { requests: 10, windowSeconds: 2 },
        faultHook: true,
      },
      ['--fuzz', '0'],
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('the body is not JSON');
    expect(opaque.length).toBeGreaterThan(0);
    const outputs: [string, string][] = [
      ['stdout', result.stdout],
      ['stderr', result.stderr],
      ...filesUnder(result.reports).map((path): [string, string] => [
        path,
        decodeXml(readFileSync(path, 'utf8')),
      ]),
    ];
    const hits = outputs.flatMap(([name, text]) =>
      opaque.filter((token) => text.includes(token)).map((token) => `${name}: ${token}`),
    );
    expect(hits).toEqual([]);
  } finally {
    await formMock.close();
  }
});
