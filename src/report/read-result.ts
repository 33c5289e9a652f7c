/**
 * Reading a `result.json` written by another run, on another machine, perhaps by someone else:
 * it is data from elsewhere. Its size is bounded before it is read, its shape is checked against
 * the schema of this version, and every text in it is clipped before anything uses it, so a
 * hand-made file cannot flood a merged report or a terminal. Escaping is left to the writers
 * (markup, JSON, terminal), which all escape whatever they are given.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '../contract/schemas.ts';
import { ConformanceError } from '../shared/errors.ts';
import { TOOL_VERSION } from '../shared/paths.ts';
import { clipped, quoted } from '../shared/text.ts';
import { countOutcomes, type TestcaseRecord } from './record.ts';
import type { RunReport } from './report.ts';

/** The largest result.json read, in bytes (a real run's is well under 2 MB). */
export const MAX_RESULT_BYTES = 64 * 1024 * 1024;
/** The most testcases one run may hold (a real run has about 130). */
export const MAX_TESTCASES = 20_000;

/** How many characters of each text of a read result are kept (the rest is said to be cut). */
const LIMITS = {
  target: 500,
  version: 60,
  name: 500,
  requirement: 200,
  word: 100,
  source: 1_000,
  reason: 2_000,
  details: 64_000,
  note: 1_000,
  notes: 50,
  crash: 4_000,
  crashes: 50,
  allowances: 1_000,
} as const;

/** A run's report as read back, with the totals result.json carries. */
export type ReadRunReport = RunReport & { totals: Record<TestcaseRecord['outcome'], number> };

/** The kind of file a result.json is: one run's, or a merge of several (src/report/merge.ts). */
export type ResultKind = 'run' | 'merged';

function badInput(message: string): never {
  throw new ConformanceError('USAGE', message);
}

/**
 * The text of `path`, at most {@link MAX_RESULT_BYTES}; a USAGE error (exit 2, one line) when it
 * is missing, not a regular file or too large.
 */
export function readBoundedFile(path: string, what: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return badInput(
      code === 'ENOENT'
        ? `${path}: no such file (${what})`
        : `cannot read ${path}: ${code ?? (error as Error).message}`,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) badInput(`${path} is not a regular file`);
    if (stat.size > MAX_RESULT_BYTES)
      badInput(
        `${path} has ${stat.size} bytes, more than the ${MAX_RESULT_BYTES} a result.json may have`,
      );
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Parses a result.json's text and says which kind it is; a USAGE error when it is not JSON, not
 * ours, or written by another version of the tool (its fields may mean other things).
 */
export function parseResult(text: string, path: string): { kind: ResultKind; data: unknown } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return badInput(`${path} is not JSON`);
  }
  const tool = (data as { tool?: { name?: unknown; version?: unknown } } | null)?.tool;
  if (typeof data !== 'object' || data === null || tool?.name !== 'oauth-conformance')
    return badInput(`${path} is not a result.json of oauth-conformance`);
  if (tool.version !== TOOL_VERSION)
    badInput(
      `${path} was written by oauth-conformance ${quoted(tool.version, LIMITS.version)}; this is ${TOOL_VERSION}: compare and merge reports of one version (run it again with this one)`,
    );
  const kind: ResultKind = (data as { kind?: unknown }).kind === 'merged' ? 'merged' : 'run';
  const schema =
    kind === 'merged'
      ? 'urn:oauth-conformance:schemas:merged-result'
      : 'urn:oauth-conformance:schemas:result';
  const result = validate(schema, data);
  if (!result.ok) badInput(`${path} is not a valid result.json: ${result.errors.join('; ')}`);
  return { kind, data };
}

/** Every text of a run report cut to its limit; lists cut to theirs. Counts are recomputed. */
export function boundedRunReport(report: RunReport, path: string): ReadRunReport {
  if (report.testcases.length > MAX_TESTCASES)
    badInput(
      `${path} holds ${report.testcases.length} testcases, more than the ${MAX_TESTCASES} a run may have`,
    );
  const cut = (text: string, max: number) => clipped(text, max);
  const testcases = report.testcases.map(
    (record): TestcaseRecord => ({
      name: cut(record.name, LIMITS.name),
      area: cut(record.area, LIMITS.word),
      requirement: cut(record.requirement, LIMITS.requirement),
      level: record.level,
      source: cut(record.source, LIMITS.source),
      trigger: cut(record.trigger, LIMITS.word),
      outcome: record.outcome,
      ...(record.reason === undefined ? {} : { reason: cut(record.reason, LIMITS.reason) }),
      ...(record.details === undefined ? {} : { details: cut(record.details, LIMITS.details) }),
      notes: record.notes.slice(0, LIMITS.notes).map((note) => cut(note, LIMITS.note)),
      durationMs: record.durationMs,
    }),
  );
  return {
    tool: { name: 'oauth-conformance', version: TOOL_VERSION },
    target: cut(report.target, LIMITS.target),
    targetKind: report.targetKind,
    profile: report.profile,
    seed: report.seed,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    plan: report.plan,
    spent: report.spent,
    allowances: report.allowances.slice(0, LIMITS.allowances).map((entry) => ({
      requirement: cut(entry.requirement, LIMITS.requirement),
      ...(entry.case === undefined ? {} : { case: cut(entry.case, LIMITS.requirement) }),
      reason: cut(entry.reason, LIMITS.reason),
      expires: entry.expires,
      status: entry.status,
    })),
    ...(report.allowStale ? { allowStale: report.allowStale } : {}),
    crashes: report.crashes.slice(0, LIMITS.crashes).map((crash) => cut(crash, LIMITS.crash)),
    ...(report.aborted
      ? {
          aborted: { kind: report.aborted.kind, reason: cut(report.aborted.reason, LIMITS.reason) },
        }
      : {}),
    testcases,
    // Never trusted from the file: counted again from the records.
    totals: countOutcomes(testcases),
  };
}

/**
 * The run report in `dir` (its result.json, as `oauth-conformance run --reports DIR` writes it),
 * bounded. A USAGE error (exit 2) when the directory has none, or it is not one run's result of
 * this version.
 */
export function readRunDir(dir: string): ReadRunReport {
  const path = join(dir, 'result.json');
  const { kind, data } = parseResult(
    readBoundedFile(path, 'merge reads the reports `oauth-conformance run --reports DIR` writes'),
    path,
  );
  if (kind === 'merged')
    badInput(`${path} is a merged result: merge the runs' own reports, not a merge of them`);
  return boundedRunReport(data as RunReport, path);
}
