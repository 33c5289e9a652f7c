/**
 * The HTML report (reports/index.html): one self-contained page, readable offline with no script
 * running. Inline CSS only; a Content-Security-Policy forbids every fetch and every script, so
 * nothing a server put in a reason or an exchange can load or run. The header says who was tested
 * and what it cost; two tables count outcomes by endpoint and by requirement level (cells carry
 * `data-count="<row>-<outcome>"`); then a row per testcase, grouped by requirement, with a
 * failure's redacted exchange folded in a <details>. "Hide passed" is a CSS-only toggle.
 */

import { formatDuration } from '../shared/text.ts';
import type { Level } from '../shared/types.ts';
import { allowanceFailures } from './allowances.ts';
import { escapeMarkup, htmlHead } from './markup.ts';
import { MATRIX_CSS, matrixSection, testcaseAnchor } from './matrix.ts';
import { countOutcomes, type Outcome, type TestcaseRecord } from './record.ts';
import type { RunReport } from './report.ts';

const OUTCOMES: readonly Outcome[] = [
  'passed',
  'failed',
  'warned',
  'skipped',
  'drift',
  'allowed',
  'errored',
];
const ENDPOINTS: readonly string[] = ['token', 'revoke'];
const LEVELS: readonly Level[] = ['documented', 'rfc-must', 'rfc-should', 'observed'];

/** Text safe in HTML (the one escaping of src/report/markup.ts). */
export const escapeHtml = escapeMarkup;

const esc = (value: string | number) => escapeHtml(String(value));
const TARGET_KINDS: Record<RunReport['targetKind'], string> = {
  'embedded-mock': 'embedded mock',
  url: 'url',
  container: 'container, started for this run',
  'client-program': 'client program, against the reference mock',
};

/** The endpoint a requirement belongs to: the first segment of its id. */
export function endpointOf(record: TestcaseRecord): string {
  return record.requirement.split('.', 1)[0] ?? record.requirement;
}

/** `token.200.status [wrong secret]` -> `wrong secret`; a name without a case stays whole. */
function caseOf(record: TestcaseRecord): string {
  const prefix = `${record.requirement} [`;
  if (record.name.startsWith(prefix) && record.name.endsWith(']'))
    return record.name.slice(prefix.length, -1);
  return record.name;
}

/** Rows in a fixed order first, then any others met in the records, sorted. */
function rowKeys(fixed: readonly string[], seen: Iterable<string>): string[] {
  const extra = [...new Set(seen)].filter((key) => !fixed.includes(key)).sort();
  return [...fixed, ...extra];
}

function countsTable(
  id: string,
  caption: string,
  heading: string,
  rows: [string, TestcaseRecord[]][],
  total?: TestcaseRecord[],
): string {
  const cell = (key: string | undefined, outcome: Outcome, count: number) =>
    `<td class="n${count ? ` has-${outcome}` : ' zero'}"${key ? ` data-count="${esc(`${key}-${outcome}`)}"` : ''}>${count}</td>`;
  const row = (label: string, records: TestcaseRecord[], key: string | undefined, cls = '') => {
    const counts = countOutcomes(records);
    const tests = `<td class="n"${key ? ` data-count="${esc(`${key}-tests`)}"` : ''}>${records.length}</td>`;
    return `<tr${cls ? ` class="${cls}"` : ''}${key ? ` data-row="${esc(key)}"` : ''}><th scope="row">${esc(label)}</th>${OUTCOMES.map((o) => cell(key, o, counts[o])).join('')}${tests}</tr>`;
  };
  return [
    `<table class="counts" id="${esc(id)}">`,
    `<caption>${esc(caption)}</caption>`,
    `<thead><tr><th scope="col">${esc(heading)}</th>${OUTCOMES.map((o) => `<th scope="col">${o}</th>`).join('')}<th scope="col">tests</th></tr></thead>`,
    '<tbody>',
    ...rows.map(([key, records]) => row(key, records, key)),
    ...(total ? [row('total', total, 'total', 'total')] : []),
    '</tbody>',
    '</table>',
  ].join('\n');
}

function testcaseRow(record: TestcaseRecord, index: number): string {
  const reason = record.reason ? `<div class="reason">${esc(record.reason)}</div>` : '';
  const notes = record.notes.map((note) => `<div class="note">note: ${esc(note)}</div>`).join('');
  const details = record.details
    ? `<details${record.outcome === 'failed' ? ' class="failure"' : ''}><summary>${record.outcome === 'failed' ? 'exchange and failure details' : 'details'}</summary><pre>${esc(record.details)}</pre></details>`
    : '';
  return [
    `<tr class="case" data-outcome="${esc(record.outcome)}" data-testcase="${esc(record.name)}" id="${testcaseAnchor(index)}">`,
    `<td class="case-name">${esc(caseOf(record))}</td>`,
    `<td><span class="verdict v-${esc(record.outcome)}">${esc(record.outcome)}</span></td>`,
    `<td class="why">${reason}${notes}${details}</td>`,
    `<td class="n time">${esc(formatDuration(record.durationMs))}</td>`,
    '</tr>',
  ].join('');
}

function requirementGroup(
  requirement: string,
  records: TestcaseRecord[],
  indexOf: Map<TestcaseRecord, number>,
): string {
  const first = records[0] as TestcaseRecord;
  const allPassed = records.every((record) => record.outcome === 'passed');
  return [
    `<tbody class="requirement" id="req-${esc(requirement)}" data-requirement="${esc(requirement)}"${allPassed ? ' data-all-passed' : ''}>`,
    `<tr class="req-head"><th colspan="4" scope="rowgroup"><code class="req-id">${esc(requirement)}</code> <span class="level l-${esc(first.level)}">${esc(first.level)}</span> <span class="endpoint">${esc(endpointOf(first))}</span>${first.source ? `<div class="source">${esc(first.source)}</div>` : ''}</th></tr>`,
    ...records.map((record) => testcaseRow(record, indexOf.get(record) ?? 0)),
    '</tbody>',
  ].join('\n');
}

const CSS = `
:root { color-scheme: light; --fg: #1d2125; --muted: #5f6b76; --line: #d8dee4; --head: #f3f5f7;
  --passed: #1a7f37; --failed: #cf222e; --warned: #9a6700; --skipped: #6e7781; --drift: #8250df; --allowed: #0969da; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 16px 20px 40px; color: var(--fg); background: #fff;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
code, pre, .req-id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.status { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-weight: 600; margin: 6px 0 10px; }
.status.ok { background: var(--passed); } .status.bad { background: var(--failed); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.crashes { border: 1px solid var(--failed); background: #fff5f5; padding: 8px 12px; border-radius: 4px; margin-top: 12px; }
.crashes h2 { margin: 0 0 6px; color: var(--failed); }
.tables { display: flex; flex-wrap: wrap; gap: 12px 32px; align-items: flex-start; }
table { border-collapse: collapse; }
table.counts caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
table.counts { font-size: 13px; }
table.counts th, table.counts td { border: 1px solid var(--line); padding: 2px 7px; }
table.counts thead th, table.counts tbody th { background: var(--head); font-weight: 600; text-align: left; }
table.counts tr.total th, table.counts tr.total td { font-weight: 700; border-top: 2px solid #9aa4ae; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #b4bcc4; }
td.has-failed { color: var(--failed); font-weight: 700; } td.has-warned { color: var(--warned); font-weight: 600; }
td.has-drift { color: var(--drift); } td.has-allowed { color: var(--allowed); }
.filter { margin: 16px 0 4px; color: var(--muted); }
table.cases { width: 100%; table-layout: fixed; }
table.cases col.c-case { width: 24%; } table.cases col.c-verdict { width: 84px; } table.cases col.c-time { width: 72px; }
table.cases thead th { text-align: left; background: var(--head); border-bottom: 2px solid var(--line); padding: 4px 8px; }
table.cases td { padding: 3px 8px; vertical-align: top; border-bottom: 1px solid #eef1f4; overflow-wrap: anywhere; }
tr.req-head th { text-align: left; font-weight: 400; padding: 10px 8px 4px; border-top: 1px solid var(--line); background: #fafbfc; }
.req-id { font-weight: 700; }
.source { color: var(--muted); font-size: 12.5px; margin-top: 2px; overflow-wrap: anywhere; }
.level, .endpoint { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; border: 1px solid var(--line); color: var(--muted); margin-left: 4px; }
.l-rfc-must { border-color: #d0a5a5; color: #8a2a2a; } .l-rfc-should { border-color: #d9c58c; color: #7a5d00; }
.l-documented { border-color: #9fbfe0; color: #0a4f9a; } .l-observed { border-color: #c8b5ef; color: #5a32a3; }
.verdict { display: inline-block; min-width: 62px; text-align: center; font-size: 12px; font-weight: 600; padding: 0 6px; border-radius: 4px; color: #fff; }
.v-passed { background: var(--passed); } .v-failed { background: var(--failed); } .v-warned { background: #bf8700; }
.v-skipped { background: var(--skipped); } .v-drift { background: var(--drift); } .v-allowed { background: var(--allowed); }
.v-errored { background: #6e40c9; }
tr[data-outcome="failed"] td { background: #fff8f8; }
.note { color: var(--muted); font-size: 12.5px; }
details { margin-top: 2px; } summary { cursor: pointer; color: var(--allowed); font-size: 12.5px; }
details.failure summary { color: var(--failed); }
pre { margin: 4px 0; padding: 8px; background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 480px; overflow: auto; }
body:has(#hide-passed:checked) tr[data-outcome="passed"],
body:has(#hide-passed:checked) tbody[data-all-passed] { display: none; }
@media print { details { display: block; } .filter { display: none; } }
`;

export function htmlReport(report: RunReport): string {
  const records = report.testcases;
  const counts = countOutcomes(records);
  const client = report.targetKind === 'client-program';
  const indexOf = new Map(records.map((record, index) => [record, index]));
  const matrix = matrixSection(report);
  // A client run groups by scenario (each record's area; a matrix run's area is its program); a
  // suite run by endpoint.
  const groupOf = client ? (record: TestcaseRecord) => record.area : endpointOf;
  const fixed = client ? [...new Set(records.map(groupOf))] : ENDPOINTS;
  const byGroup = rowKeys(fixed, records.map(groupOf)).map(
    (key) =>
      [key, records.filter((record) => groupOf(record) === key)] as [string, TestcaseRecord[]],
  );
  const byLevel = rowKeys(
    LEVELS,
    records.map((record) => record.level),
  ).map(
    (key) => [key, records.filter((record) => record.level === key)] as [string, TestcaseRecord[]],
  );
  const groups = new Map<string, TestcaseRecord[]>();
  for (const record of records) {
    const group = groups.get(record.requirement);
    if (group) group.push(record);
    else groups.set(record.requirement, [record]);
  }
  const allowFailures = allowanceFailures(report);
  const ok =
    counts.failed === 0 &&
    counts.errored === 0 &&
    report.crashes.length === 0 &&
    !report.aborted &&
    allowFailures.length === 0;
  const status = report.aborted
    ? `not tested: ${report.aborted.reason}`
    : ok
      ? `passed: ${records.length} testcases, none failed`
      : `failed: ${counts.failed} of ${records.length} testcases failed${report.crashes.length ? `, ${report.crashes.length} suite error(s)` : ''}${allowFailures.length ? `, ${allowFailures.length} allow entries expired or stale` : ''}`;
  const meta: [string, string][] = [
    ['target', `${report.target} (${TARGET_KINDS[report.targetKind]})`],
    ['profile', report.profile],
    ['seed', String(report.seed)],
    ['started at', report.startedAt],
    ['duration', formatDuration(report.durationMs)],
    ...((client
      ? [
          [
            'requests sent by the program',
            `token ${report.spent.token}, revoke ${report.spent.revoke}`,
          ],
        ]
      : [
          [
            'requests spent',
            `token ${report.spent.token} (planned ${report.plan.token}), revoke ${report.spent.revoke} (planned ${report.plan.revoke})`,
          ],
          ['unplanned 429s', String(report.spent.unplanned429s)],
        ]) as [string, string][]),
    ['tool', `${report.tool.name} ${report.tool.version}`],
  ];
  const aborted = report.aborted
    ? [
        `<section class="crashes" id="aborted" data-kind="${esc(report.aborted.kind)}">`,
        '<h2>The target could not be tested</h2>',
        `<pre>${esc(report.aborted.reason)}</pre>`,
        '</section>',
      ]
    : [];
  const allowList = allowFailures.length
    ? [
        '<section class="crashes" id="allow-list">',
        '<h2>Allow entries that fail the run</h2>',
        ...allowFailures.map(
          (failure) => `<pre data-allowance="${esc(failure.name)}">${esc(failure.message)}</pre>`,
        ),
        '</section>',
      ]
    : [];
  const crashes = report.crashes.length
    ? [
        '<section class="crashes" id="crashes">',
        '<h2>Suite errors: the run cannot be trusted</h2>',
        ...report.crashes.map((crash) => `<pre>${esc(crash)}</pre>`),
        '</section>',
      ]
    : [];
  return [
    ...htmlHead(
      `${report.tool.name}: ${report.profile}, ${report.target}`,
      `${CSS}${matrix ? MATRIX_CSS : ''}`,
    ),
    '<body>',
    '<header>',
    client && report.programs?.length
      ? `<h1>OAuth client harness: how ${report.programs.length} client programs behaved</h1>`
      : client
        ? '<h1>OAuth client harness: how a client program behaved</h1>'
        : `<h1>OAuth client-credentials conformance: ${esc(report.profile)}</h1>`,
    `<div class="status ${ok ? 'ok' : 'bad'}" id="status" data-status="${ok ? 'passed' : 'failed'}">${esc(status)}</div>`,
    '<dl class="meta" id="run">',
    ...meta.map(
      ([term, value]) =>
        `<dt>${esc(term)}</dt><dd data-meta="${esc(term.replace(/ /g, '-'))}">${esc(value)}</dd>`,
    ),
    '</dl>',
    ...aborted,
    ...crashes,
    ...allowList,
    '</header>',
    ...(matrix ? [matrix] : []),
    '<section id="counts">',
    '<h2>Counts</h2>',
    '<div class="tables">',
    client && report.programs?.length
      ? countsTable('counts-by-program', 'By program', 'program', byGroup, records)
      : client
        ? countsTable('counts-by-scenario', 'By scenario', 'scenario', byGroup, records)
        : countsTable('counts-by-endpoint', 'By endpoint', 'endpoint', byGroup, records),
    countsTable('counts-by-level', 'By requirement level', 'level', byLevel),
    '</div>',
    '</section>',
    '<section id="testcases">',
    `<h2>Testcases (${records.length}, ${groups.size} requirements)</h2>`,
    '<div class="filter"><label><input type="checkbox" id="hide-passed"> hide passed</label></div>',
    '<table class="cases">',
    '<colgroup><col class="c-case"><col class="c-verdict"><col class="c-why"><col class="c-time"></colgroup>',
    '<thead><tr><th scope="col">case</th><th scope="col">verdict</th><th scope="col">reason</th><th scope="col">time</th></tr></thead>',
    ...[...groups].map(([requirement, group]) => requirementGroup(requirement, group, indexOf)),
    '</table>',
    '</section>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
