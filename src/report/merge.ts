/**
 * `oauth-conformance merge DIR...`: the reports of several runs (a CI matrix: regions, staging and
 * production, several mocks) as one verdict. Each DIR holds what `run --reports DIR` wrote; its
 * result.json is read as hostile data (src/report/read-result.ts) and the three merged reports are
 * written anew from it: junit.xml with one testsuite per run, result.json with every run, and
 * index.html with a target x requirement overview whose cells link to each run's own page.
 */
import { hostname } from 'node:os';
import { basename, relative, resolve, sep } from 'node:path';
import { EXIT_FAILED, EXIT_PASSED } from '../shared/errors.ts';
import { TOOL_VERSION } from '../shared/paths.ts';
import { allowanceFailures, failingAllowances } from './allowances.ts';
import { allowanceTestcaseXml, testcaseXml } from './junit.ts';
import { escapeMarkup, htmlHead } from './markup.ts';
import type { ReadRunReport } from './read-result.ts';
import { countOutcomes, type Outcome, type TestcaseRecord } from './record.ts';
import type { RunReport } from './report.ts';

/** What one run came to: as `run`'s exit status would say it (0, 1, 3). */
export type RunVerdict = 'passed' | 'failed' | 'not-tested';

/** Exit status of a merge whose runs include one that could not test its target, and none failed. */
export const EXIT_NOT_TESTED = 3;

/** One run in a merge. */
export interface MergedRun {
  /** The testsuite's name: the target and the profile (with the directory when two coincide). */
  name: string;
  /** The directory it was read from, as given. */
  dir: string;
  verdict: RunVerdict;
  report: ReadRunReport;
}

/** The merged result.json (schemas/merged-result.schema.json). */
export interface MergedResult {
  tool: { name: 'oauth-conformance'; version: string };
  kind: 'merged';
  mergedAt: string;
  verdict: RunVerdict;
  totals: Record<Outcome, number>;
  runs: MergedRun[];
}

/**
 * A run's verdict from its report, by `run`'s own rules: not tested when it aborted (exit 3);
 * failed for a failure, a suite error, a crash, no testcase at all, or an allowance that fails the
 * run (expired, or stale unless it ran with --allow-stale warn); passed otherwise.
 */
export function runVerdict(report: RunReport): RunVerdict {
  if (report.aborted) return 'not-tested';
  const counts = countOutcomes(report.testcases);
  const failed =
    counts.failed > 0 ||
    counts.errored > 0 ||
    report.crashes.length > 0 ||
    report.testcases.length === 0 ||
    failingAllowances(report) > 0;
  return failed ? 'failed' : 'passed';
}

/** How a run is named in a merge: the target (stable for the embedded mock) and the profile. */
export function runLabel(report: RunReport): string {
  const target =
    report.targetKind === 'embedded-mock'
      ? 'embedded reference mock'
      : report.targetKind === 'container'
        ? `container at ${report.target}`
        : report.target;
  return `${target} (${report.profile})`;
}

/** The whole merge's verdict: failed when one run failed, else not tested when one was not. */
function mergedVerdict(runs: readonly MergedRun[]): RunVerdict {
  if (runs.some((run) => run.verdict === 'failed')) return 'failed';
  if (runs.some((run) => run.verdict === 'not-tested')) return 'not-tested';
  return 'passed';
}

/** The exit status of a merge, by `run`'s table: 0 all passed, 1 any failed, 3 any not tested. */
export function mergeExitCode(result: MergedResult): number {
  return result.verdict === 'failed'
    ? EXIT_FAILED
    : result.verdict === 'not-tested'
      ? EXIT_NOT_TESTED
      : EXIT_PASSED;
}

/** The runs read from `dirs` (in that order) as one merged result; names made unique. */
export function mergeRuns(
  runs: readonly { dir: string; report: ReadRunReport }[],
  now: Date = new Date(),
): MergedResult {
  const labels = runs.map(({ report }) => runLabel(report));
  const merged = runs.map(({ dir, report }, index): MergedRun => {
    const label = labels[index] as string;
    const shared = labels.filter((other) => other === label).length > 1;
    return {
      name: shared ? `${label} [${basename(resolve(dir))}]` : label,
      dir,
      verdict: runVerdict(report),
      report,
    };
  });
  // Still equal (the same basename twice): numbered, so every testsuite has its own name.
  const seen = new Map<string, number>();
  for (const run of merged) {
    const count = (seen.get(run.name) ?? 0) + 1;
    seen.set(run.name, count);
    if (count > 1) run.name = `${run.name} #${count}`;
  }
  return {
    tool: { name: 'oauth-conformance', version: TOOL_VERSION },
    kind: 'merged',
    mergedAt: now.toISOString(),
    verdict: mergedVerdict(merged),
    totals: countOutcomes(merged.flatMap((run) => run.report.testcases)),
    runs: merged,
  };
}

/** The merged result.json. */
export function mergedResultJson(result: MergedResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// junit.xml

const attr = (name: string, value: string | number) => `${name}="${escapeMarkup(String(value))}"`;
const seconds = (ms: number) => (ms / 1000).toFixed(3);

function runSuiteXml(run: MergedRun): string {
  const { report } = run;
  const records = report.testcases;
  const count = (outcome: Outcome) => records.filter((record) => record.outcome === outcome).length;
  const errors = count('errored') + report.crashes.length + (report.aborted ? 1 : 0);
  const allowFailures = allowanceFailures(report);
  const properties: [string, string | number][] = [
    ['target', report.target],
    ['target-kind', report.targetKind],
    ['profile', report.profile],
    ['seed', report.seed],
    ['verdict', run.verdict],
    ['reports', run.dir],
    ['requests.token', report.spent.token],
    ['requests.revoke', report.spent.revoke],
    ['unplanned-429s', report.spent.unplanned429s],
  ];
  const extra: string[] = [];
  if (report.aborted)
    extra.push(
      `    <testcase ${attr('name', `target.reachable [${report.aborted.kind}]`)} ${attr('classname', 'target')} ${attr('time', seconds(report.durationMs))}>`,
      `      <error ${attr('message', report.aborted.reason)} ${attr('type', report.aborted.kind)}>${escapeMarkup(report.aborted.reason)}</error>`,
      '    </testcase>',
    );
  report.crashes.forEach((crash, i) => {
    extra.push(
      `    <testcase ${attr('name', `suite error ${i + 1}`)} ${attr('classname', 'suite errors')}>`,
      `      <error ${attr('message', crash.split('\n', 1)[0] ?? crash)} ${attr('type', 'suite-error')}>${escapeMarkup(crash)}</error>`,
      '    </testcase>',
    );
  });
  extra.push(...allowFailures.flatMap(allowanceTestcaseXml));
  return [
    `  <testsuite ${attr('name', run.name)} ${attr('tests', records.length + (report.aborted ? 1 : 0) + report.crashes.length + allowFailures.length)} ${attr('failures', count('failed') + allowFailures.length)} ${attr('errors', errors)} ${attr('skipped', count('skipped') + count('allowed'))} ${attr('time', seconds(report.durationMs))} ${attr('timestamp', report.startedAt)} ${attr('hostname', hostname())}>`,
    '    <properties>',
    ...properties.map(
      ([name, value]) => `      <property ${attr('name', name)} ${attr('value', value)}/>`,
    ),
    '    </properties>',
    ...records.map((record) => testcaseXml(record, report)),
    ...extra,
    '  </testsuite>',
  ].join('\n');
}

/** The merged junit.xml: one testsuite per run, named by target and profile. */
export function mergedJunitXml(result: MergedResult): string {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  for (const { report } of result.runs) {
    const counts = countOutcomes(report.testcases);
    const allowFailures = allowanceFailures(report).length;
    tests +=
      report.testcases.length + report.crashes.length + (report.aborted ? 1 : 0) + allowFailures;
    failures += counts.failed + allowFailures;
    errors += counts.errored + report.crashes.length + (report.aborted ? 1 : 0);
    time += report.durationMs;
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attr('name', `oauth-conformance merge of ${result.runs.length} runs`)} ${attr('tests', tests)} ${attr('failures', failures)} ${attr('errors', errors)} ${attr('time', seconds(time))}>`,
    ...result.runs.map(runSuiteXml),
    '</testsuites>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// index.html

/** What a cell of the overview shows: the worst that happened to the requirement in the run. */
export type CellVerdict = 'fail' | 'allowed' | 'warn' | 'drift' | 'pass' | 'skip';

/** Worst first: a cell is the first of these any of its testcases came to. */
const CELL_ORDER: readonly [CellVerdict, readonly Outcome[]][] = [
  ['fail', ['failed', 'errored']],
  ['allowed', ['allowed']],
  ['warn', ['warned']],
  ['drift', ['drift']],
  ['pass', ['passed']],
  ['skip', ['skipped']],
];

/** The cell of one requirement in one run: its verdict and how many of its testcases came to it. */
export function cellOf(
  records: readonly TestcaseRecord[],
): { verdict: CellVerdict; count: number; of: number } | undefined {
  if (records.length === 0) return undefined;
  for (const [verdict, outcomes] of CELL_ORDER) {
    const count = records.filter((record) => outcomes.includes(record.outcome)).length;
    if (count > 0) return { verdict, count, of: records.length };
  }
  return undefined;
}

const esc = (value: string | number) => escapeMarkup(String(value));

/**
 * A link from the merged report in `outDir` to a run's own index.html in `runDir`, at `fragment`:
 * relative (the merged report and the runs' reports travel together as one artifact), each path
 * segment percent-encoded, so no name from a directory or a result can leave the attribute.
 */
export function runLink(outDir: string, runDir: string, fragment?: string): string {
  const path = relative(resolve(outDir), resolve(runDir, 'index.html'))
    .split(sep)
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return fragment === undefined ? path : `${path}#${encodeURIComponent(fragment)}`;
}

const CSS = `
:root { color-scheme: light; --fg: #1d2125; --muted: #5f6b76; --line: #d8dee4; --head: #f3f5f7;
  --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --skip: #6e7781; --drift: #8250df; --allowed: #0969da; }
body { margin: 0 auto; max-width: 1400px; padding: 16px 20px 40px; color: var(--fg); background: #fff;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.status { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-weight: 600; margin: 6px 0 10px; }
.status.passed { background: var(--pass); } .status.failed { background: var(--fail); } .status.not-tested { background: var(--warn); }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 2px 7px; vertical-align: top; }
thead th { background: var(--head); text-align: left; }
tbody th { background: #fafbfc; text-align: left; font-weight: 400; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th.run { max-width: 220px; overflow-wrap: anywhere; font-size: 12px; }
td.cell { text-align: center; white-space: nowrap; }
td.cell a { text-decoration: none; font-weight: 600; }
.c-fail a, .v-failed { color: var(--fail); } .c-pass a, .v-passed { color: var(--pass); }
.c-warn a { color: var(--warn); } .c-skip a { color: var(--skip); } .c-drift a { color: var(--drift); }
.c-allowed a { color: var(--allowed); } .v-not-tested { color: var(--warn); }
td.c-fail { background: #fff5f5; } td.none { color: #b4bcc4; }
.muted { color: var(--muted); }
`;

/** The merged index.html: the runs, then a requirement x run overview linking to each run's page. */
export function mergedHtml(result: MergedResult, outDir: string): string {
  const { runs } = result;
  const requirements: string[] = [];
  const seen = new Set<string>();
  for (const { report } of runs)
    for (const record of report.testcases)
      if (!seen.has(record.requirement)) {
        seen.add(record.requirement);
        requirements.push(record.requirement);
      }
  const byRun = runs.map(({ report }) => {
    const map = new Map<string, TestcaseRecord[]>();
    for (const record of report.testcases) {
      const list = map.get(record.requirement);
      if (list) list.push(record);
      else map.set(record.requirement, [record]);
    }
    return map;
  });
  const runRows = runs.map((run, index) => {
    const counts = countOutcomes(run.report.testcases);
    const cells = (['passed', 'failed', 'warned', 'skipped', 'allowed'] as const)
      .map(
        (outcome) =>
          `<td class="n" data-count="${esc(`${index}-${outcome}`)}">${counts[outcome]}</td>`,
      )
      .join('');
    const why = run.report.aborted
      ? `not tested (${run.report.aborted.kind}): ${run.report.aborted.reason}`
      : (run.report.crashes[0] ?? '');
    return `<tr data-run="${index}"><th scope="row"><a href="${esc(runLink(outDir, run.dir))}">${esc(run.name)}</a></th><td class="v-${esc(run.verdict)}" data-verdict="${esc(run.verdict)}">${esc(run.verdict)}</td>${cells}<td class="muted">${esc(run.report.seed)}</td><td class="muted">${esc(run.report.startedAt)}</td><td>${esc(why)}</td></tr>`;
  });
  const overviewRows = requirements.map((requirement) => {
    const cells = runs.map((run, index) => {
      const cell = cellOf(byRun[index]?.get(requirement) ?? []);
      if (!cell)
        return `<td class="cell none" data-cell="${esc(`${index} ${requirement}`)}" data-verdict="none" title="not in this run">–</td>`;
      const text =
        cell.count === cell.of ? cell.verdict : `${cell.verdict} ${cell.count}/${cell.of}`;
      return `<td class="cell c-${cell.verdict}" data-cell="${esc(`${index} ${requirement}`)}" data-verdict="${cell.verdict}"><a href="${esc(runLink(outDir, run.dir, `req-${requirement}`))}">${esc(text)}</a></td>`;
    });
    return `<tr><th scope="row"><code>${esc(requirement)}</code></th>${cells.join('')}</tr>`;
  });
  const statusText =
    result.verdict === 'passed'
      ? `passed: ${runs.length} runs, none failed`
      : result.verdict === 'failed'
        ? `failed: ${runs.filter((run) => run.verdict === 'failed').length} of ${runs.length} runs failed`
        : `not tested: ${runs.filter((run) => run.verdict === 'not-tested').length} of ${runs.length} runs could not test their target`;
  return [
    ...htmlHead(`oauth-conformance: ${runs.length} runs merged`, CSS),
    '<body>',
    '<header>',
    '<h1>OAuth client-credentials conformance: runs merged</h1>',
    `<div class="status ${esc(result.verdict)}" id="status" data-status="${esc(result.verdict)}">${esc(statusText)}</div>`,
    `<div class="muted">merged at ${esc(result.mergedAt)} by ${esc(`${result.tool.name} ${result.tool.version}`)}; each run's name links to its own report</div>`,
    '</header>',
    '<section id="runs">',
    '<h2>Runs</h2>',
    '<table>',
    '<thead><tr><th scope="col">run (target, profile)</th><th scope="col">verdict</th><th scope="col">passed</th><th scope="col">failed</th><th scope="col">warned</th><th scope="col">skipped</th><th scope="col">allowed</th><th scope="col">seed</th><th scope="col">started at</th><th scope="col">why</th></tr></thead>',
    '<tbody>',
    ...runRows,
    '</tbody>',
    '</table>',
    '</section>',
    '<section id="overview">',
    `<h2>Requirements by run (${requirements.length})</h2>`,
    '<p class="muted">A cell is the worst its testcases came to (fail, allowed, warn, drift, pass, skip), with how many of them when not all; it links to the requirement in that run\'s report. – : not in that run.</p>',
    '<table id="matrix">',
    `<thead><tr><th scope="col">requirement</th>${runs.map((run, index) => `<th scope="col" class="run" data-run="${index}">${esc(run.name)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...overviewRows,
    '</tbody>',
    '</table>',
    '</section>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
