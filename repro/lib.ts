// Shared helpers for the break-14-21 reproductions: a reference mock with a hostile tamper, the
// real CLI against it, and every check a demanding user would make of the outcome.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type MockHandle,
  type MockOptions,
  type MockResponse,
  startMock,
} from '../src/mock/index.ts';
import { failedRequirementIds, runSuite, type SuiteRun } from '../test/support/cli.ts';

export const RATE_LIMIT = { requests: 10, windowSeconds: 2 };
export const issuedTokens: string[] = [];

/** The reference mock with `tamper`, remembering every token it issues. */
export async function hostileMock(options: MockOptions = {}): Promise<MockHandle> {
  const tamper = options.tamper;
  return startMock({
    rateLimit: RATE_LIMIT,
    seed: 11,
    ...options,
    tamper: (res, req) => {
      const body = res.body as { access_token?: unknown } | undefined;
      if (
        body &&
        typeof body === 'object' &&
        !(body instanceof Uint8Array) &&
        typeof body.access_token === 'string'
      )
        issuedTokens.push(body.access_token);
      return tamper ? tamper(res, req) : res;
    },
  });
}

export function configFor(mock: MockHandle, extra: Record<string, unknown> = {}) {
  return {
    accounts: mock.accounts,
    rateLimit: RATE_LIMIT,
    revokeRateLimit: RATE_LIMIT,
    faultHook: true,
    revocationWaitSeconds: 2,
    ...extra,
  };
}

function forms(secret: string): string[] {
  const b64 = Buffer.from(secret).toString('base64');
  return [
    secret,
    b64,
    Buffer.from(secret).toString('base64url'),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ].filter((s) => s.length >= 8);
}

export function secretsOf(mock: MockHandle): string[] {
  const out: string[] = [];
  for (const account of Object.values(mock.accounts)) {
    if (!account) continue;
    out.push(account.clientSecret);
    out.push(`${account.clientId}:${account.clientSecret}`);
    out.push(Buffer.from(`${account.clientId}:${account.clientSecret}`).toString('base64'));
  }
  out.push(...issuedTokens);
  return [...new Set(out.flatMap(forms))];
}

export interface Checked {
  run: SuiteRun;
  ms: number;
  problems: string[];
}

/** Runs the CLI and reports everything a user would object to. */
export async function check(
  name: string,
  mock: MockHandle,
  config: Record<string, unknown>,
  args: string[] = ['--seed', '3'],
  extraSecrets: string[] = [],
): Promise<Checked> {
  const started = Date.now();
  const run = await runSuite(name, mock.url, config, args);
  const ms = Date.now() - started;
  const problems: string[] = [];
  const longest = Math.max(...`${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.length));
  if (longest > 2000) problems.push(`a terminal line of ${longest} characters`);
  // Control characters but tab and \n, C1, zero-width, bidi controls and the BOM.
  const hidden = (text: string) =>
    [...text].find((char) => {
      const c = char.codePointAt(0) ?? 0;
      return (
        (c < 32 && c !== 9 && c !== 10) ||
        (c >= 0x7f && c <= 0x9f) ||
        (c >= 0x200b && c <= 0x200f) ||
        (c >= 0x202a && c <= 0x202e) ||
        (c >= 0x2066 && c <= 0x2069) ||
        c === 0xfeff
      );
    });
  for (const [name, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    const char = hidden(text);
    if (char) problems.push(`a control/invisible character on ${name}: ${JSON.stringify(char)}`);
  }
  const files: [string, string][] = [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ];
  try {
    for (const f of readdirSync(run.reports)) {
      const p = join(run.reports, f);
      const size = statSync(p).size;
      if (size > 5_000_000) problems.push(`${f} is ${size} bytes`);
      files.push([f, readFileSync(p, 'utf8')]);
    }
  } catch {
    problems.push('no reports directory');
  }
  const junit = join(run.reports, 'junit.xml');
  try {
    execFileSync('xmllint', ['--noout', '--schema', '/work/shared/junit-10.xsd', junit], {
      stdio: 'pipe',
    });
  } catch (error) {
    problems.push(
      `junit.xml invalid: ${String((error as { stderr?: Buffer }).stderr ?? error).slice(0, 300)}`,
    );
  }
  for (const secret of [...secretsOf(mock), ...extraSecrets])
    for (const [f, text] of files)
      if (text.includes(secret)) problems.push(`SECRET in ${f}: ${secret.slice(0, 6)}…`);
  if (run.stderr.includes('    at ')) problems.push('a stack trace on stderr');
  return { run, ms, problems };
}

export function summary(name: string, c: Checked): void {
  const failed = failedRequirementIds(c.run.cases);
  const counts = ['passed', 'failed', 'skipped', 'errored'].map(
    (s) => `${s} ${c.run.cases.filter((x) => x.state === s).length}`,
  );
  console.log(
    `== ${name}: exit ${c.run.code} in ${(c.ms / 1000).toFixed(1)} s; ${counts.join(', ')}`,
  );
  console.log(`   failed: ${failed.join(' ') || '(none)'}`);
  for (const p of c.problems) console.log(`   PROBLEM: ${p}`);
}

export function reasons(c: Checked, filter: RegExp = /./): void {
  for (const x of c.run.cases)
    if ((x.state === 'failed' || x.state === 'errored') && filter.test(x.name))
      console.log(`   ${x.name}: ${(x.failure ?? '').split('\n')[0]?.slice(0, 400)}`);
}

export function skips(c: Checked): void {
  const xml = readFileSync(join(c.run.reports, 'junit.xml'), 'utf8');
  for (const m of xml.matchAll(/<testcase name="([^"]*)"[^>]*>\s*<skipped message="([^"]*)"/g))
    console.log(`   skip ${m[1]}: ${m[2]?.slice(0, 300)}`);
}

export type { MockResponse };
