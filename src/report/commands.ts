/**
 * The `merge` and `diff` commands: their flags, their files and their lines. The work is in
 * merge.ts and diff.ts; this is the edge where arguments are read and files written.
 */
import { realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConformanceError, EXIT_FAILED } from '../shared/errors.ts';
import { clipped, visible } from '../shared/text.ts';
import { diffLines, diffResults } from './diff.ts';
import { prepareReportsDir } from './index.ts';
import { findLeaks } from './leak-scan.ts';
import {
  type MergedResult,
  mergedHtml,
  mergedJunitXml,
  mergedResultJson,
  mergeExitCode,
  mergeRuns,
} from './merge.ts';
import { readRunDir } from './read-result.ts';
import { countOutcomes } from './record.ts';

/** Where the commands print: a line at a time. */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The most reports directories one merge reads. */
export const MAX_MERGED_RUNS = 200;

/** Flags and positionals, with a usage error of one line, as every command words it. */
function parse<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(
  args: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    const message = (error as Error).message.split('\n').join(' ').replace(/\s+/g, ' ').trim();
    throw new ConformanceError('USAGE', `${message} (usage: ${usage})`);
  }
}

const MERGE_USAGE = 'oauth-conformance merge DIR... [--reports OUT]';
const DIFF_USAGE = 'oauth-conformance diff BASE/result.json HEAD/result.json [--json]';

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

const MARKS = { passed: '✓', failed: '✗', 'not-tested': '!' } as const;

/**
 * `merge DIR... [--reports OUT]`: exit 0 when every run passed, 1 when one failed (or the merged
 * reports held a token-shaped text, and lost the file), 3 when none failed and one could not test
 * its target, 2 for bad input (no DIR, a DIR without a result.json, one of another version,
 * OUT among the DIRs).
 */
export async function mergeCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(args, { reports: { type: 'string' } }, MERGE_USAGE);
  if (positionals.length === 0)
    throw new ConformanceError('USAGE', `no reports directory given (usage: ${MERGE_USAGE})`);
  if (positionals.length > MAX_MERGED_RUNS)
    throw new ConformanceError(
      'USAGE',
      `${positionals.length} reports directories: merge reads at most ${MAX_MERGED_RUNS}`,
    );
  const out = values.reports ?? 'reports';
  const seen = new Map<string, string>();
  for (const dir of positionals) {
    const real = realOrResolved(dir);
    const twice = seen.get(real);
    if (twice !== undefined)
      throw new ConformanceError(
        'USAGE',
        `${dir} is given twice (as ${twice}): merge each run once`,
      );
    seen.set(real, dir);
  }
  if (seen.has(realOrResolved(out)))
    throw new ConformanceError(
      'USAGE',
      `--reports ${out} is one of the directories merged: its reports would be replaced; write the merge elsewhere`,
    );
  // Every input is read and checked before anything is written.
  const runs = positionals.map((dir) => ({ dir, report: readRunDir(dir) }));
  const outDir = prepareReportsDir(out);
  const result = mergeRuns(runs);
  const files: [string, string][] = [
    ['junit.xml', mergedJunitXml(result)],
    ['result.json', mergedResultJson(result)],
    ['index.html', mergedHtml(result, outDir)],
  ];
  const written = files.map(([name, text]) => {
    const path = join(outDir, name);
    const temporary = join(outDir, `.${name}.${process.pid}.tmp`);
    rmSync(temporary, { force: true });
    writeFileSync(temporary, text, { flag: 'wx' });
    renameSync(temporary, path);
    return { path, skeleton: '' };
  });
  // The merge knows no secret; what a run's scan would still catch, a JWT, it looks for.
  const { leaks } = findLeaks(written, []);
  for (const leak of leaks) rmSync(leak.file, { force: true });
  printMerge(result, io);
  io.out(
    `reports ${written
      .map((file) => file.path)
      .filter((path) => !leaks.some((leak) => leak.file === path))
      .join(', ')}`,
  );
  for (const leak of leaks)
    io.out(
      `SECRET IN REPORT: ${leak.file} contained ${leak.what}; the file was removed. A run's reports carried it: check the run that wrote it.`,
    );
  return leaks.length > 0 ? EXIT_FAILED : mergeExitCode(result);
}

function printMerge(result: MergedResult, io: CommandIo): void {
  io.out(`oauth-conformance merge: ${result.runs.length} runs`);
  for (const run of result.runs) {
    const counts = countOutcomes(run.report.testcases);
    const why = run.report.aborted
      ? `not tested (${run.report.aborted.kind})`
      : `passed ${counts.passed}, failed ${counts.failed}, warnings ${counts.warned}, skipped ${counts.skipped}${counts.allowed ? `, allowed ${counts.allowed}` : ''}${counts.errored ? `, suite errors ${counts.errored}` : ''}`;
    io.out(`  ${MARKS[run.verdict]} ${visible(clipped(run.name, 300))}: ${run.verdict}; ${why}`);
  }
  const { totals } = result;
  io.out('');
  io.out(
    `${result.verdict}: passed ${totals.passed}, failed ${totals.failed}, warnings ${totals.warned}, skipped ${totals.skipped}${totals.allowed ? `, allowed ${totals.allowed}` : ''}${totals.errored ? `, suite errors ${totals.errored}` : ''} in ${result.runs.length} runs`,
  );
}

/** `diff BASE HEAD [--json]`: exit 1 on a new failure or a lost testcase, 0 otherwise, 2 for bad input. */
export async function diffCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, DIFF_USAGE);
  if (positionals.length !== 2)
    throw new ConformanceError(
      'USAGE',
      `diff takes two result.json files, not ${positionals.length} (usage: ${DIFF_USAGE})`,
    );
  const [base, head] = positionals as [string, string];
  const diff = diffResults(base, head);
  if (values.json) io.out(JSON.stringify(diff, null, 2));
  else for (const line of diffLines(diff)) io.out(line);
  return diff.exitCode;
}
