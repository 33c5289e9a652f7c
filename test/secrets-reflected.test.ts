// Issue 15: no client secret, Basic value or token reaches any output, whatever the target does
// with them. The target here echoes everything it receives (the Authorization header, the form
// body with its token, the Bearer token the probe gets, tampered ones included) back in every
// spelling real encoders use, and issues tokens under an escaped member name; every output is
// then searched for every secret in each of those spellings.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type MockHandle, type MockResponse, startMock } from '../src/mock/index.ts';
import { packagePath } from '../src/shared/paths.ts';
import { basicCredentials } from '../src/shared/redact.ts';
import { runSuite } from './support/cli.ts';

const RATE_LIMIT = { requests: 10, windowSeconds: 2 };
const JUNIT_XSD = packagePath('test', 'fixtures', 'junit-10.xsd');

const mocks: MockHandle[] = [];
afterAll(async () => {
  await Promise.all(mocks.map((mock) => mock.close()));
});

/** Every spelling the issue names: raw, JSON, PHP's \/, \uXXXX, either-case percent, entities, base64. */
function spellings(value: string): Record<string, string> {
  const bytes = [...Buffer.from(value)];
  const pct = (upper: boolean) =>
    bytes
      .map((b) => `%${b.toString(16).padStart(2, '0')}`)
      .map((p) => (upper ? p.toUpperCase() : p))
      .join('');
  return {
    raw: value,
    json: JSON.stringify(value).slice(1, -1),
    'json \\/': JSON.stringify(value).slice(1, -1).replaceAll('/', '\\/'),
    'json \\uXXXX': [...value]
      .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join(''),
    'percent lower': pct(false),
    'percent upper': pct(true),
    entities: [...value].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join(''),
    base64: Buffer.from(value).toString('base64'),
  };
}

/** The body a response serialises to, as text. */
function bodyText(res: MockResponse): string {
  if (res.body === undefined) return '';
  if (res.body instanceof Uint8Array) return Buffer.from(res.body).toString('utf8');
  return JSON.stringify(res.body);
}

/**
 * A target that reflects: every answer carries, as JSON members with line breaks around them and
 * as text, the request's Authorization value, Bearer token and form body in every spelling, and
 * the token of a token response in every spelling; token responses name access_token escaped.
 */
function reflecting(): MockOptionsWithTamper {
  return {
    tamper: (res, req) => {
      const echoed: Record<string, string> = {};
      const authorization = req.headers.authorization ?? '';
      const credential = authorization.replace(/^\S+\s+/, '');
      for (const [from, value] of [
        ['authorization', credential],
        ['body', req.body],
        ['token', new URLSearchParams(req.body).get('token') ?? ''],
      ] as const) {
        if (!value) continue;
        for (const [spelling, text] of Object.entries(spellings(value)))
          echoed[`${from} ${spelling}`] = text;
      }
      const text = bodyText(res);
      const issued = /"access_token":"([^"]+)"/.exec(text)?.[1];
      if (issued)
        for (const [spelling, value] of Object.entries(spellings(issued)))
          echoed[`issued ${spelling}`] = value;
      // The issued token under an escaped member name: used by the suite, so it must be learned.
      // The spellings go in verbatim, as a target's own JSON encoder would write them.
      const body = text.replace('"access_token"', '"\\u0061ccess_token"').replace(/}\s*$/, '');
      const members = Object.entries(echoed).map(([name, value]) => `\n  "${name}": "${value}"`);
      const reflected = `${body || '{'}${body ? ',' : ''}\n"echo": {${members.join(',')}\n}}`;
      return {
        ...res,
        headers: { ...res.headers, 'Content-Type': 'application/json' },
        body: Buffer.from(reflected),
      };
    },
  };
}

type MockOptionsWithTamper = Parameters<typeof startMock>[0];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every place a secret may not be: stdout, stderr, each report file as written, the journal. */
function outputsOf(run: { stdout: string; stderr: string; reports: string }, mock: MockHandle) {
  return [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
    ['journal', JSON.stringify(mock.journal())],
    ...filesUnder(run.reports).map((path): [string, string] => [path, readFileSync(path, 'utf8')]),
  ] as [string, string][];
}

function hits(outputs: [string, string][], secrets: string[]): string[] {
  const found: string[] = [];
  for (const [where, text] of outputs) {
    for (const secret of secrets)
      for (const [spelling, form] of Object.entries(spellings(secret)))
        if (form.length >= 8 && text.includes(form))
          found.push(`${where}: ${spelling} of ${secret.slice(0, 6)}…`);
    if (/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\./.test(text)) found.push(`${where}: a JWT`);
  }
  return found;
}

describe.concurrent('a target that echoes what it receives', { timeout: 240_000 }, () => {
  test('no secret, Basic value, issued or derived token in any output, in any spelling', async () => {
    const accounts = {
      primary: {
        clientId: 'mdb_sa_id_0123456789abcdef01234567',
        clientSecret: 'CANARY/prim+ary=s3cr3t 7f3a',
      },
      secondary: {
        clientId: 'mdb_sa_id_1123456789abcdef01234567',
        clientSecret: 'CANARY/second+ary=s3cr3t',
      },
    };
    const tokens: string[] = [];
    const options = reflecting();
    const tamper = options?.tamper;
    const mock = await startMock({
      rateLimit: RATE_LIMIT,
      accounts,
      tamper: (res, req) => {
        const token = /"access_token":"([^"]+)"/.exec(bodyText(res))?.[1];
        if (token) tokens.push(token);
        return tamper ? tamper(res, req) : res;
      },
    });
    mocks.push(mock);
    const run = await runSuite(
      'reflected',
      mock.url,
      {
        accounts,
        rateLimit: RATE_LIMIT,
        revokeRateLimit: RATE_LIMIT,
        faultHook: true,
        revocationWaitSeconds: 1,
      },
      ['--seed', '5', '--fuzz', '15'],
    );
    // The reflections break the documented bodies: failures, with their exchanges in the report.
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).not.toContain('SECRET IN REPORT');
    expect(tokens.length).toBeGreaterThan(5);
    // Tampered copies of live tokens, which the probe echoes too.
    const tampered = tokens.map(
      (token) => `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
    );
    const secrets = [
      ...Object.values(accounts).flatMap((a) => [
        a.clientSecret,
        basicCredentials(a.clientId, a.clientSecret, 'raw'),
        basicCredentials(a.clientId, a.clientSecret, 'form-urlencoded'),
      ]),
      ...tokens,
      ...tampered,
    ];
    expect(hits(outputsOf(run, mock), secrets)).toEqual([]);
    execFileSync('xmllint', ['--noout', '--schema', JUNIT_XSD, join(run.reports, 'junit.xml')], {
      stdio: 'pipe',
    });
  });

  // Issue 15, item 2: a configured secret shorter than 8 characters is redacted like any other.
  test('a short configured secret (hunter2) reaches no output', async () => {
    const accounts = {
      primary: { clientId: 'mdb_sa_id_2123456789abcdef01234567', clientSecret: 'hunter2' },
    };
    const mock = await startMock({ rateLimit: RATE_LIMIT, accounts, ...reflecting() });
    mocks.push(mock);
    const run = await runSuite(
      'short-secret',
      mock.url,
      {
        accounts,
        rateLimit: RATE_LIMIT,
        revokeRateLimit: RATE_LIMIT,
        revocationWaitSeconds: 1,
      },
      ['--seed', '5'],
    );
    expect(run.code).toBe(1);
    const found = outputsOf(run, mock).filter(([, text]) =>
      Object.values(spellings('hunter2')).some((form) => text.includes(form)),
    );
    expect(found.map(([where]) => where)).toEqual([]);
  });

  // Issue 15, item 5: a token that is a word of the report's own markup must neither corrupt
  // junit.xml nor read as a leak of the tool.
  test.each(['testcase', 'access_token'])(
    'a token that is the word %s: valid reports, kept, and said',
    async (word) => {
      const mock = await startMock({
        rateLimit: RATE_LIMIT,
        tamper: (res) => {
          const text = bodyText(res);
          return /"access_token"/.test(text)
            ? {
                ...res,
                body: Buffer.from(
                  text.replace(/"access_token":"[^"]+"/, `"access_token":"${word}"`),
                ),
              }
            : res;
        },
      });
      mocks.push(mock);
      const run = await runSuite(
        `word-${word}`,
        mock.url,
        {
          accounts: mock.accounts,
          rateLimit: RATE_LIMIT,
          revokeRateLimit: RATE_LIMIT,
          revocationWaitSeconds: 1,
        },
        ['--seed', '5'],
      );
      expect(run.stdout).not.toContain('SECRET IN REPORT');
      expect(run.stdout).toContain('are words the reports themselves use');
      execFileSync('xmllint', ['--noout', '--schema', JUNIT_XSD, join(run.reports, 'junit.xml')], {
        stdio: 'pipe',
      });
      expect(
        filesUnder(run.reports)
          .map((path) => path.split('/').at(-1))
          .sort(),
      ).toEqual(['index.html', 'junit.xml', 'result.json']);
    },
  );

  // Issue 15, item 4: redact first, clip after. A secret across the exchange's 4,000-character
  // clip, and across the 80-character quote of an unexpected revoke body.
  test('a secret across a clip leaves none of its characters behind', async () => {
    const accounts = {
      primary: {
        clientId: 'mdb_sa_id_3123456789abcdef01234567',
        clientSecret: 'STRADDLE-secret-0123456789abcdefghij',
      },
    };
    const secret = accounts.primary.clientSecret;
    const mock = await startMock({
      rateLimit: RATE_LIMIT,
      accounts,
      tamper: (res, req) => {
        if (req.path === '/api/oauth/revoke' && res.status === 200)
          return { ...res, body: Buffer.from(`${'r'.repeat(70)}${secret}`) };
        if (res.status !== 401) return res;
        const head = JSON.stringify({ error: 'invalid_client', error_description: 'x' }).slice(
          0,
          -1,
        );
        const pad = 'p'.repeat(4000 - head.length - 10);
        return { ...res, body: Buffer.from(`${head},"pad":"${pad}${secret}"}`) };
      },
    });
    mocks.push(mock);
    const run = await runSuite(
      'straddle',
      mock.url,
      {
        accounts,
        rateLimit: RATE_LIMIT,
        revokeRateLimit: RATE_LIMIT,
        revocationWaitSeconds: 1,
      },
      ['--seed', '5'],
    );
    expect(run.code).toBe(1);
    const prefix = secret.slice(0, 12);
    const found = outputsOf(run, mock).filter(([, text]) => text.includes(prefix));
    expect(found.map(([where]) => where)).toEqual([]);
  });
});
