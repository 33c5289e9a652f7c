/**
 * The clients x requirements matrix of a client harness run over several programs
 * (`oauth-conformance client --programs FILE`): one cell per program and requirement, summing up
 * that requirement's verdicts across the scenarios, with the testcase that decided it. The HTML
 * report shows it as a table whose cells link to their evidence; `npm run clients:matrix` turns
 * it into the README's findings table.
 */
import { escapeMarkup } from './markup.ts';
import type { Outcome, TestcaseRecord } from './record.ts';
import type { RunReport } from './report.ts';

/** What a cell says: the worst verdict of its testcases; `not-exercised` when none judged it. */
export type CellVerdict = 'failed' | 'warned' | 'passed' | 'not-exercised';

export interface MatrixCell {
  program: string;
  requirement: string;
  verdict: CellVerdict;
  /** The testcases (index into `report.testcases`) that gave the verdict; empty when not exercised. */
  evidence: number[];
  /** Their scenarios, in catalog order. */
  scenarios: string[];
}

export interface ClientMatrix {
  programs: string[];
  /** Requirement ids in the order the run met them (the catalog's). */
  requirements: string[];
  /** Row-major: `cells[p * requirements.length + r]`. */
  cells: MatrixCell[];
}

/** Which verdict a testcase's outcome counts as; skipped (nothing to judge) counts as none. */
const AS_CELL: Partial<Record<Outcome, CellVerdict>> = {
  failed: 'failed',
  errored: 'failed',
  warned: 'warned',
  passed: 'passed',
  drift: 'passed',
  allowed: 'warned',
};
const RANK: CellVerdict[] = ['failed', 'warned', 'passed'];

/** `client.token.reuse [careless: normal]` -> `normal`. */
export function scenarioOf(record: TestcaseRecord): string {
  const inner = /\[([^\]]*)\]$/.exec(record.name)?.[1] ?? '';
  const colon = inner.indexOf(': ');
  return colon < 0 ? inner : inner.slice(colon + 2);
}

/**
 * The matrix of a run whose records carry their program as `area` (`report.programs` lists the
 * programs in the order they ran). `undefined` for a run that is not such a run.
 */
export function clientMatrix(
  report: Pick<RunReport, 'programs' | 'testcases'>,
): ClientMatrix | undefined {
  const programs = report.programs;
  if (!programs?.length) return undefined;
  const requirements = [...new Set(report.testcases.map((record) => record.requirement))];
  const cells: MatrixCell[] = [];
  for (const program of programs) {
    for (const requirement of requirements) {
      const judged = report.testcases.flatMap((record, index) => {
        const verdict = AS_CELL[record.outcome];
        return record.area === program && record.requirement === requirement && verdict
          ? [{ record, index, verdict }]
          : [];
      });
      const verdict = RANK.find((v) => judged.some((j) => j.verdict === v)) ?? 'not-exercised';
      const deciding = judged.filter((j) => j.verdict === verdict);
      cells.push({
        program,
        requirement,
        verdict,
        evidence: deciding.map((j) => j.index),
        scenarios: deciding.map((j) => scenarioOf(j.record)),
      });
    }
  }
  return { programs, requirements, cells };
}

const SYMBOL: Record<CellVerdict, string> = {
  failed: 'fail',
  warned: 'warn',
  passed: 'pass',
  'not-exercised': '–',
};

/** The id of a testcase's row in the HTML report: `tc-<index>`. */
export const testcaseAnchor = (index: number) => `tc-${index}`;

/**
 * The matrix as an HTML table: programs as rows, requirements as columns (their ids, each linking
 * to its group of testcases); a cell links to the first testcase that decided it and names the
 * scenarios in its title. `''` when the run has no matrix.
 */
export function matrixSection(report: RunReport): string {
  const matrix = clientMatrix(report);
  if (!matrix) return '';
  const esc = (value: string) => escapeMarkup(value);
  const width = matrix.requirements.length;
  const head = matrix.requirements
    .map(
      (id) =>
        `<th scope="col" class="mx-req"><a href="#req-${esc(id)}"><span>${esc(id.replace(/^client\./, ''))}</span></a></th>`,
    )
    .join('');
  const rows = matrix.programs.map((program, p) => {
    const cells = matrix.cells.slice(p * width, (p + 1) * width).map((cell) => {
      const title =
        cell.verdict === 'not-exercised'
          ? `${cell.requirement}: no scenario gave it anything to judge`
          : `${cell.requirement}: ${cell.verdict} in ${cell.scenarios.join(', ')}`;
      const first = cell.evidence[0];
      const label = SYMBOL[cell.verdict];
      const content =
        first === undefined ? label : `<a href="#${testcaseAnchor(first)}">${label}</a>`;
      return `<td class="mx mx-${cell.verdict}" data-cell="${esc(`${program}|${cell.requirement}`)}" data-verdict="${cell.verdict}" title="${esc(title)}">${content}</td>`;
    });
    return `<tr data-program="${esc(program)}"><th scope="row">${esc(program)}</th>${cells.join('')}</tr>`;
  });
  return [
    '<section id="matrix">',
    `<h2>Clients × requirements (${matrix.programs.length} programs, ${width} requirements)</h2>`,
    '<p class="mx-key">Each cell sums up the requirement over every scenario: <span class="mx-failed">fail</span> if any scenario failed it, <span class="mx-warned">warn</span> if any warned, <span class="mx-passed">pass</span> if it passed where judged, – if no scenario gave it anything to judge. A cell links to the testcase that decided it; a column head to the requirement.</p>',
    '<div class="mx-wrap"><table class="matrix">',
    `<thead><tr><th scope="col">program</th>${head}</tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table></div>',
    '</section>',
  ].join('\n');
}

/** The matrix's CSS, added to the report's. */
export const MATRIX_CSS = `
.mx-wrap { overflow-x: auto; }
table.matrix { font-size: 12.5px; }
table.matrix th, table.matrix td { border: 1px solid var(--line); padding: 2px 5px; }
table.matrix tbody th { background: var(--head); text-align: left; white-space: nowrap; }
table.matrix th.mx-req { vertical-align: bottom; height: 190px; padding: 4px 2px; background: var(--head); }
table.matrix th.mx-req span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: 600; }
table.matrix th.mx-req a { color: var(--fg); text-decoration: none; }
td.mx { text-align: center; min-width: 38px; }
td.mx a { color: inherit; text-decoration: none; display: block; }
.mx-failed { background: #ffebe9; color: var(--failed); font-weight: 700; }
.mx-warned { background: #fff8c5; color: var(--warned); font-weight: 600; }
.mx-passed { background: #dafbe1; color: var(--passed); }
.mx-not-exercised { color: #b4bcc4; }
.mx-key span { padding: 0 4px; border-radius: 3px; }
`;

/** An example client as examples/clients/matrix.json describes it. */
export interface ExampleClient {
  name: string;
  /** The README's name for it (Markdown). */
  label: string;
  /** `{node}`, `{python}`, `{go-build}` placeholders, resolved by scripts/clients-matrix.ts. */
  command: string[];
  needs?: { python?: string; tools?: string[]; debian: string };
  /** What it does, in the README's words (Markdown): the only hand-written column. */
  about: string;
}

/** Scenario lists longer than this are given as a count. */
const LISTED_SCENARIOS = 5;

/**
 * The README's findings table (Markdown) from a matrix run's report: a row per client, its
 * failed and warned requirements with the scenarios that decided them, those no scenario
 * exercised, and the client's description. A client left out of the run says why.
 */
export function findingsTable(
  report: Pick<RunReport, 'programs' | 'testcases' | 'seed' | 'startedAt'>,
  clients: readonly Pick<ExampleClient, 'name' | 'label' | 'about'>[],
  missing: ReadonlyMap<string, string> = new Map(),
): string {
  const matrix = clientMatrix(report);
  if (!matrix) throw new Error('the run has no programs: not a --programs run');
  const scenarios = new Set(report.testcases.map(scenarioOf)).size;
  const list = (program: string, verdict: CellVerdict) =>
    matrix.cells
      .filter((cell) => cell.program === program && cell.verdict === verdict)
      .map((cell) => {
        if (verdict === 'not-exercised') return `\`${cell.requirement}\``;
        const where =
          cell.scenarios.length > LISTED_SCENARIOS
            ? `${cell.scenarios.length} scenarios`
            : cell.scenarios.join(', ');
        return `\`${cell.requirement}\` (${where})`;
      })
      .join(', ') || 'none';
  const lines = [
    `Generated by \`npm run clients:matrix\` from one \`--strict\` run (seed ${report.seed}, ${report.startedAt.slice(0, 10)}, ${matrix.programs.length} clients, ${scenarios} scenarios each); its \`reports/clients-matrix/index.html\` holds the clients × requirements matrix, each cell linked to its evidence.`,
    '',
    '| client | fails (scenarios) | warns | not exercised | what happens |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const client of clients) {
    const why = missing.get(client.name);
    if (why) lines.push(`| ${client.label} | not run: ${why} | | | ${client.about} |`);
    else if (matrix.programs.includes(client.name))
      lines.push(
        `| ${client.label} | ${list(client.name, 'failed')} | ${list(client.name, 'warned')} | ${list(client.name, 'not-exercised')} | ${client.about} |`,
      );
  }
  return lines.join('\n');
}
