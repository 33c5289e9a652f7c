// Runs the real CLI as a child process, the way users and CI do.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { decodeMarkup } from '../../src/report/markup.ts';
import { packagePath } from '../../src/shared/paths.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The exit code and whole output of a child started with piped stdout and stderr. Past
 * `timeoutMs` it is killed (SIGKILL): rejected with `onTimeout`'s error when one is given, else
 * resolved as it closes (code null).
 */
export function collectOutput(
  child: ChildProcessByStdio<null, Readable, Readable>,
  timeoutMs?: number,
  onTimeout?: (sofar: CliResult) => Error,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            if (onTimeout) reject(onTimeout({ code: null, stdout, stderr }));
          }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<CliResult> {
  const child = spawn(process.execPath, [packagePath('scripts', 'cli-from-source.js'), ...args], {
    env: {
      ...process.env,
      MONGODB_ATLAS_CLIENT_ID: '',
      MONGODB_ATLAS_CLIENT_SECRET: '',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectOutput(
    child,
    timeoutMs,
    ({ stdout, stderr }) =>
      new Error(`CLI did not finish in ${timeoutMs} ms: ${args.join(' ')}\n${stdout}\n${stderr}`),
  );
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `oauth-conformance-${prefix}-`));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

export interface JunitCase {
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'errored';
  /** The failure (or error) text, XML entities decoded. */
  failure?: string;
  properties: Record<string, string>;
}

/** A report's text as a reader (or a leak scanner) sees it. */
export const decodeXml = decodeMarkup;

/** Just enough of a JUnit reader for the self-tests: testcases, their state, failure and properties. */
export function readJunit(path: string): JunitCase[] {
  const xml = readFileSync(path, 'utf8');
  const cases: JunitCase[] = [];
  for (const match of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = match[1] ?? '';
    const body = match[3] ?? '';
    const name = decodeXml(/\bname="([^"]*)"/.exec(attrs)?.[1] ?? '');
    // Per-testcase properties travel in system-out as [[PROPERTY|name=value]] lines (see src/report/junit.ts).
    const properties: Record<string, string> = {};
    const out = decodeXml(/<system-out>([\s\S]*?)<\/system-out>/.exec(body)?.[1] ?? '');
    for (const prop of out.matchAll(/^\[\[PROPERTY\|([^=\]]+)=(.*)\]\]$/gm)) {
      properties[prop[1] ?? ''] ??= prop[2] ?? '';
    }
    const failure = /<(failure|error)\b[^>]*>([\s\S]*?)<\/\1>/.exec(body)?.[2];
    const state = /<error\b/.test(body)
      ? 'errored'
      : /<failure\b/.test(body)
        ? 'failed'
        : /<skipped/.test(body)
          ? 'skipped'
          : 'passed';
    cases.push({
      name,
      state,
      properties,
      ...(failure !== undefined ? { failure: decodeXml(failure) } : {}),
    });
  }
  return cases;
}

/** The requirement ids of the failed testcases (the part of the name before " ["). */
export function failedRequirementIds(cases: JunitCase[]): string[] {
  return [
    ...new Set(
      cases.filter((c) => c.state === 'failed').map((c) => c.name.split(' [', 1)[0] ?? c.name),
    ),
  ].sort();
}

/**
 * The testcases a default run against the reference mock skips by design: the mock answers an
 * undecodable Basic credential with 400 invalid_request (RFC 6749 §5.2 allows it or 401
 * invalid_client), so the 401 challenge check has nothing to judge there. (The active-token
 * limit is judged: on the mock's tokenLimit account, whose limit of 3 the run is told.)
 */
export const MOCK_NOT_JUDGED = ['token.rfc.www-authenticate [undecodable Basic credential]'];

/** The names of the skipped testcases, sorted. */
export function skippedNames(cases: JunitCase[]): string[] {
  return cases
    .filter((c) => c.state === 'skipped')
    .map((c) => c.name)
    .sort();
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export interface SuiteRun extends CliResult {
  cases: JunitCase[];
  reports: string;
}

/** `oauth-conformance run --target <target> --config <config as a file> --reports <temp>`, and its report. */
export async function runSuite(
  name: string,
  target: string,
  config: unknown,
  args: string[] = [],
): Promise<SuiteRun> {
  const dir = tempDir(name);
  const reports = join(dir, 'reports');
  const configPath = writeJson(dir, 'config.json', config);
  const result = await runCli([
    'run',
    '--target',
    target,
    '--config',
    configPath,
    '--reports',
    reports,
    ...args,
  ]);
  // A run refused before it starts (exit 2) writes no report: no cases, not an error here. One
  // whose target cannot be tested (exit 3) writes one errored testcase, target.reachable [kind].
  const junit = join(reports, 'junit.xml');
  return { ...result, cases: existsSync(junit) ? readJunit(junit) : [], reports };
}
