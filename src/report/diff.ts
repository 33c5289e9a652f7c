/**
 * `oauth-conformance diff BASE/result.json HEAD/result.json`: what changed between two runs (or two
 * merges) by which testcases ran, not only by verdict: new failures, fixes, testcases that
 * disappeared (coverage lost), and the rate-limit facts the target stated. Both files are read as
 * hostile data (src/report/read-result.ts).
 */
import { ConformanceError } from '../shared/errors.ts';
import { oneLine, visible } from '../shared/text.ts';
import type { MergedResult } from './merge.ts';
import { boundedRunReport, parseResult, type ResultKind, readBoundedFile } from './read-result.ts';
import type { Outcome, TestcaseRecord } from './record.ts';
import type { RunReport } from './report.ts';

/** One testcase of a result, keyed by its run (in a merge) and its name. */
interface Entry {
  /** The run's name in a merge; absent for one run's result. */
  run?: string;
  name: string;
  outcome: Outcome;
  reason?: string;
}

/** A testcase whose outcome differs, or that is on one side only. */
export interface DiffEntry {
  run?: string;
  name: string;
  /** Its outcome in BASE; absent when BASE does not have it. */
  base?: Outcome;
  /** Its outcome in HEAD; absent when HEAD does not have it. */
  head?: Outcome;
  /** HEAD's reason (BASE's for a lost testcase), clipped. */
  reason?: string;
}

/** A rate-limit fact that differs: what the burst testcase read from the target. */
export interface LimitChange {
  run?: string;
  name: string;
  base?: string;
  head?: string;
}

/** Everything `diff` reports, as `--json` prints it. */
export interface ResultDiff {
  base: string;
  head: string;
  /** Failed or errored in HEAD, and not so (or absent) in BASE. */
  newFailures: DiffEntry[];
  /** Failed or errored in BASE; passed, warned or drift in HEAD. */
  fixed: DiffEntry[];
  /** In BASE, not in HEAD: coverage lost. */
  lost: DiffEntry[];
  /** In HEAD, not in BASE (and not failing: those are new failures). */
  added: DiffEntry[];
  /** Every other change of outcome (passed -> skipped, failed -> allowed, ...). */
  changed: DiffEntry[];
  /** The limits the target stated or was counted to admit, where they differ. */
  limits: LimitChange[];
  /** 1 when there is a new failure or a lost testcase, else 0. */
  exitCode: number;
}

const FAILING: ReadonlySet<Outcome> = new Set(['failed', 'errored']);
const FIXED: ReadonlySet<Outcome> = new Set(['passed', 'warned', 'drift']);

/** The rate-limit facts of a testcase, in the words its check wrote them (src/suite/checks/rate-limit.ts). */
export function limitFact(
  record: Pick<TestcaseRecord, 'requirement' | 'notes' | 'reason'>,
): string | undefined {
  const text = [...record.notes, record.reason ?? ''].join('\n');
  if (record.requirement.endsWith('.rate-limit.stated')) {
    const stated = /\bstates (\d{1,12}) per (\d{1,12}) s\b/.exec(text);
    if (stated) return `states ${stated[1]} per ${stated[2]} s`;
    if (/states no limit/.test(text)) return 'states no limit';
  }
  if (record.requirement.endsWith('.rate-limit.exact')) {
    const admitted = /\b(\d{1,12}) (?:requests )?admitted\b/.exec(text);
    if (admitted) return `${admitted[1]} admitted before the 429`;
  }
  return undefined;
}

interface Side {
  kind: ResultKind;
  entries: Map<string, Entry>;
  limits: Map<string, { run?: string; name: string; fact: string }>;
}

function keyOf(run: string | undefined, name: string): string {
  return run === undefined ? name : `${run}\u0000${name}`;
}

function sideOf(path: string): Side {
  const { kind, data } = parseResult(readBoundedFile(path, 'a result.json'), path);
  const runs: { run?: string; report: RunReport }[] =
    kind === 'merged'
      ? (data as MergedResult).runs.map((run) => ({
          run: run.name,
          report: boundedRunReport(run.report, path),
        }))
      : [{ report: boundedRunReport(data as RunReport, path) }];
  const entries = new Map<string, Entry>();
  const limits = new Map<string, { run?: string; name: string; fact: string }>();
  for (const { run, report } of runs) {
    for (const record of report.testcases) {
      const at = run === undefined ? {} : { run };
      entries.set(keyOf(run, record.name), {
        ...at,
        name: record.name,
        outcome: record.outcome,
        ...(record.reason === undefined ? {} : { reason: record.reason }),
      });
      const fact = limitFact(record);
      if (fact) limits.set(keyOf(run, record.name), { ...at, name: record.name, fact });
    }
  }
  return { kind, entries, limits };
}

/**
 * The difference from `basePath` to `headPath`. Both must be of one kind (two runs' results, or
 * two merges, whose runs are matched by name); a USAGE error (exit 2) otherwise, or when either is
 * missing, too large, not JSON, of another version or not valid.
 */
export function diffResults(basePath: string, headPath: string): ResultDiff {
  const base = sideOf(basePath);
  const head = sideOf(headPath);
  if (base.kind !== head.kind) {
    const what = (kind: ResultKind) => (kind === 'merged' ? 'a merged result' : "one run's result");
    throw new ConformanceError(
      'USAGE',
      `${basePath} is ${what(base.kind)} and ${headPath} ${what(head.kind)}: compare two runs' results or two merges`,
    );
  }
  return compare(basePath, headPath, base, head);
}

function compare(basePath: string, headPath: string, base: Side, head: Side): ResultDiff {
  const diff: ResultDiff = {
    base: basePath,
    head: headPath,
    newFailures: [],
    fixed: [],
    lost: [],
    added: [],
    changed: [],
    limits: [],
    exitCode: 0,
  };
  for (const [key, was] of base.entries) {
    const now = head.entries.get(key);
    const at = was.run === undefined ? {} : { run: was.run };
    if (!now) {
      diff.lost.push({
        ...at,
        name: was.name,
        base: was.outcome,
        ...(was.reason ? { reason: was.reason } : {}),
      });
      continue;
    }
    if (now.outcome === was.outcome) continue;
    const entry: DiffEntry = {
      ...at,
      name: now.name,
      base: was.outcome,
      head: now.outcome,
      ...(now.reason ? { reason: now.reason } : {}),
    };
    if (FAILING.has(now.outcome) && !FAILING.has(was.outcome)) diff.newFailures.push(entry);
    else if (FAILING.has(was.outcome) && FIXED.has(now.outcome)) diff.fixed.push(entry);
    else diff.changed.push(entry);
  }
  for (const [key, now] of head.entries) {
    if (base.entries.has(key)) continue;
    const entry: DiffEntry = {
      ...(now.run === undefined ? {} : { run: now.run }),
      name: now.name,
      head: now.outcome,
      ...(now.reason ? { reason: now.reason } : {}),
    };
    if (FAILING.has(now.outcome)) diff.newFailures.push(entry);
    else diff.added.push(entry);
  }
  const limitKeys = new Set([...base.limits.keys(), ...head.limits.keys()]);
  for (const key of limitKeys) {
    const was = base.limits.get(key);
    const now = head.limits.get(key);
    if (was?.fact === now?.fact) continue;
    const any = (now ?? was) as { run?: string; name: string };
    diff.limits.push({
      ...(any.run === undefined ? {} : { run: any.run }),
      name: any.name,
      ...(was ? { base: was.fact } : {}),
      ...(now ? { head: now.fact } : {}),
    });
  }
  diff.exitCode = diff.newFailures.length > 0 || diff.lost.length > 0 ? 1 : 0;
  return diff;
}

/** A testcase as a terminal line names it: visible, bounded, with its run in a merge. */
function shown(entry: { run?: string; name: string }): string {
  const name = visible(entry.name);
  return entry.run === undefined ? name : `${visible(entry.run)}: ${name}`;
}

/** The diff as lines for a terminal: counts first, then each list; every text visible and bounded. */
export function diffLines(diff: ResultDiff): string[] {
  const lines = [
    `diff ${visible(diff.base)} -> ${visible(diff.head)}: ${diff.newFailures.length} new failures, ${diff.fixed.length} fixed, ${diff.lost.length} lost (coverage), ${diff.added.length} added, ${diff.changed.length} other changes, ${diff.limits.length} rate-limit facts changed`,
  ];
  const was = (entry: DiffEntry) => (entry.base === undefined ? 'new' : `was ${entry.base}`);
  const section = (
    title: string,
    entries: readonly DiffEntry[],
    line: (e: DiffEntry) => string,
  ) => {
    if (entries.length === 0) return;
    lines.push('', `${title} (${entries.length}):`);
    for (const entry of entries) lines.push(line(entry));
  };
  const reason = (entry: DiffEntry) => (entry.reason ? `: ${oneLine(entry.reason, 300)}` : '');
  section('new failures', diff.newFailures, (e) => `  ✗ ${shown(e)} (${was(e)})${reason(e)}`);
  section(
    'lost: in BASE, not in HEAD (coverage lost)',
    diff.lost,
    (e) => `  - ${shown(e)} (was ${e.base})`,
  );
  section('fixed', diff.fixed, (e) => `  ✓ ${shown(e)} (was ${e.base}, now ${e.head})`);
  if (diff.limits.length > 0) {
    lines.push('', `rate-limit facts changed (${diff.limits.length}):`);
    for (const change of diff.limits)
      lines.push(`  ~ ${shown(change)}: ${change.base ?? '(none)'} -> ${change.head ?? '(none)'}`);
  }
  section(
    'other changes',
    diff.changed,
    (e) => `  ~ ${shown(e)}: ${e.base} -> ${e.head}${reason(e)}`,
  );
  section('added', diff.added, (e) => `  + ${shown(e)} (${e.head})`);
  lines.push(
    '',
    diff.exitCode === 0
      ? 'no new failure and no testcase lost'
      : `${diff.newFailures.length} new failures and ${diff.lost.length} testcases lost: exit 1`,
  );
  return lines;
}
