/**
 * Writes the report files of a run (junit.xml, result.json and index.html, from the one run
 * report) and finishes it: the values that can carry target text or secrets are redacted before
 * anything is serialised (redacting serialised markup could corrupt it: a token that is the word
 * `testcase`), each file goes through a temporary file and a rename (never through a symlink at
 * the report's path), and the written files are read back and searched for leaks.
 */
import { lstatSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConformanceError, classifyError } from '../shared/errors.ts';
import type { Redactor } from '../shared/redact.ts';
import { htmlReport } from './html.ts';
import { resultJson } from './json.ts';
import { junitXml } from './junit.ts';
import { findLeaks, type Leak, type WrittenReport } from './leak-scan.ts';
import type { RunReport } from './report.ts';
import { summaryLines } from './summary.ts';

/** One writer per file, chosen by name from one map. */
export const REPORT_FILES: Readonly<Record<string, (report: RunReport) => string>> = {
  'junit.xml': junitXml,
  'result.json': resultJson,
  'index.html': htmlReport,
};

/** File systems that are not storage: writing a report there hangs, fails or does harm. */
const VIRTUAL = /^\/(proc|sys|dev)(\/|$)/;

/**
 * Makes sure reports can be written to `dir` before the run spends anything: creates it, checks
 * that it is a directory on real storage and writable (a test file created and removed), and
 * removes the report files of an earlier run, so an interrupted run never leaves a stale passing
 * junit.xml behind for CI to publish. Throws a ConformanceError of one line when the directory
 * cannot be used: USAGE (exit 2) for a wrong path, ENVIRONMENT (exit 4) when this machine refuses
 * (no permission, read-only file system, full disk).
 */
export function prepareReportsDir(dir: string): string {
  const target = resolve(dir);
  const refuse = (why: string, error?: unknown): never => {
    const code = error && classifyError(error).code === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'USAGE';
    throw new ConformanceError(code, `--reports ${dir}: ${why}`);
  };
  if (VIRTUAL.test(target)) refuse('is on a virtual file system (/proc, /sys, /dev), not storage');
  try {
    mkdirSync(target, { recursive: true });
  } catch (error) {
    refuse(
      `cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      error,
    );
  }
  const real = realpathSync(target);
  if (VIRTUAL.test(real)) refuse('leads to a virtual file system (/proc, /sys, /dev), not storage');
  if (!lstatSync(real).isDirectory()) refuse('is not a directory');
  const probe = join(real, `.oauth-conformance-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
    rmSync(probe, { force: true });
  } catch (error) {
    refuse(
      `is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      error,
    );
  }
  for (const name of Object.keys(REPORT_FILES)) rmSync(join(real, name), { force: true });
  return real;
}

/** The report with every value that can carry target text or a secret redacted. */
function redactedReport(report: RunReport, redactor: Redactor): RunReport {
  const redact = (text: string) => redactor.redact(text);
  return {
    ...report,
    target: redact(report.target),
    crashes: report.crashes.map(redact),
    ...(report.aborted
      ? { aborted: { ...report.aborted, reason: redact(report.aborted.reason) } }
      : {}),
    testcases: report.testcases.map((record) => ({
      ...record,
      ...(record.reason === undefined ? {} : { reason: redact(record.reason) }),
      ...(record.details === undefined ? {} : { details: redact(record.details) }),
      notes: record.notes.map(redact),
    })),
  };
}

/** The report with no target-derived text: what the report says in its own words. */
function skeletonOf(report: RunReport): RunReport {
  return {
    ...report,
    crashes: report.crashes.map(() => ''),
    ...(report.aborted ? { aborted: { ...report.aborted, reason: '' } } : {}),
    testcases: report.testcases.map((record) => ({
      ...record,
      ...(record.reason === undefined ? {} : { reason: '' }),
      ...(record.details === undefined ? {} : { details: '' }),
      notes: [],
    })),
  };
}

/** Writes every report file into `dir` (values redacted first); returns them with their skeletons. */
export function writeReports(report: RunReport, dir: string, redactor: Redactor): WrittenReport[] {
  const target = resolve(dir);
  mkdirSync(target, { recursive: true });
  const redacted = redactedReport(report, redactor);
  const skeleton = skeletonOf(redacted);
  return Object.entries(REPORT_FILES).map(([name, write]) => {
    const path = join(target, name);
    const temporary = join(target, `.${name}.${process.pid}.tmp`);
    rmSync(temporary, { force: true });
    writeFileSync(temporary, write(redacted), { flag: 'wx' });
    // A rename replaces whatever is at the path, a symlink included, without following it.
    renameSync(temporary, path);
    return { path, skeleton: write(skeleton) };
  });
}

export interface FinishedReports {
  /** The paths of the report files left (a file that leaked is removed). */
  written: string[];
  leaks: Leak[];
}

/**
 * The one last step of a suite run and a client run: write the reports, search them for every
 * secret the run knew, remove a file that leaked, and print the summary, the paths and any leak.
 */
export function finishReports(
  report: RunReport,
  dir: string,
  redactor: Redactor,
  secrets: readonly string[],
  out: (line: string) => void,
  lines: { before?: readonly string[]; reportsPrefix?: string } = {},
): FinishedReports {
  const files = writeReports(report, dir, redactor);
  const { leaks, ordinaryWords } = findLeaks(files, secrets);
  for (const leak of leaks) rmSync(leak.file, { force: true });
  out('');
  for (const line of [...summaryLines(report), ...(lines.before ?? [])]) out(redactor.redact(line));
  const written = files
    .map((file) => file.path)
    .filter((path) => !leaks.some((l) => l.file === path));
  out(`${lines.reportsPrefix ?? ''}reports ${written.join(', ')}`);
  if (ordinaryWords > 0)
    out(
      `note: ${ordinaryWords} secret value(s) of this run are words the reports themselves use; they were redacted wherever the target's text carried them, and the last scan cannot tell them from the reports' own text`,
    );
  for (const leak of leaks)
    out(
      `SECRET IN REPORT: ${leak.file} contained ${leak.what}; the file was removed. This is a redaction bug: please report it.`,
    );
  return { written, leaks };
}
