// `oauth-conformance client --programs FILE`: several programs, one report, and in its HTML a
// clients x requirements matrix whose cells link to their evidence; rendered in headless
// Chromium (Debian's /usr/bin/chromium), the screenshot kept. Bad programs files: one line, exit 2.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validate } from '../src/contract/schemas.ts';
import { clientMatrix, findingsTable } from '../src/report/matrix.ts';
import type { RunReport } from '../src/report/report.ts';
import { packagePath } from '../src/shared/paths.ts';
import { readJunit, runCli, tempDir } from './support/cli.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(
  new URL('../reports/self-tests/client-matrix.png', import.meta.url),
);
const SCENARIOS = ['normal', 'token-limit-reached', 'server-error-first'];

function programsFile(content: unknown): string {
  const path = join(tempDir('programs'), 'programs.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('a matrix run over three programs', () => {
  const reports = tempDir('client-matrix');
  let run: Awaited<ReturnType<typeof runCli>>;
  let report: RunReport;
  let html: string;
  const temp: string[] = [];

  beforeAll(async () => {
    const file = programsFile({
      programs: [
        {
          name: 'careless',
          command: [process.execPath, packagePath('examples', 'clients', 'careless', 'client.mjs')],
        },
        {
          name: 'sequential',
          command: [process.execPath, packagePath('test', 'fixtures', 'clients', 'sequential.mjs')],
        },
        {
          name: 'fixed-retry',
          command: [
            process.execPath,
            packagePath('test', 'fixtures', 'clients', 'faults.mjs'),
            'fixed-retry',
          ],
        },
      ],
    });
    run = await runCli(
      [
        'client',
        '--strict',
        ...SCENARIOS.flatMap((s) => ['--scenario', s]),
        '--reports',
        reports,
        '--programs',
        file,
      ],
      {},
      180_000,
    );
    report = JSON.parse(readFileSync(join(reports, 'result.json'), 'utf8'));
    html = readFileSync(join(reports, 'index.html'), 'utf8');
  }, 200_000);

  afterAll(() => {
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  test('one report: testcases named by program and scenario, valid result.json, exit 1', () => {
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(validate('urn:oauth-conformance:schemas:result', report).errors).toEqual([]);
    expect(report.programs).toEqual(['careless', 'sequential', 'fixed-retry']);
    expect(report.target).toBe('3 programs: careless, sequential, fixed-retry');
    const names = readJunit(join(reports, 'junit.xml')).map((c) => c.name);
    expect(names).toContain('client.token.reuse [careless: normal]');
    expect(names).toContain('client.retry.backoff [fixed-retry: server-error-first]');
    expect(run.stdout).toMatch(/^program sequential \(2 of 3\): /m);
  });

  test('the matrix: each cell the worst verdict over the scenarios, or not exercised', () => {
    const matrix = clientMatrix(report);
    const cell = (program: string, requirement: string) =>
      matrix?.cells.find((c) => c.program === program && c.requirement === requirement);
    expect(cell('careless', 'client.token.reuse')?.verdict).toBe('failed');
    expect(cell('careless', 'client.token.reuse')?.scenarios).toEqual([
      'normal',
      'token-limit-reached',
    ]);
    expect(cell('careless', 'client.token-limit.keeps-working')?.verdict).toBe('failed');
    expect(cell('sequential', 'client.token.reuse')?.verdict).toBe('passed');
    // it never reaches the limit: nothing to judge
    expect(cell('sequential', 'client.token-limit.stops-minting')?.verdict).toBe('not-exercised');
    expect(cell('fixed-retry', 'client.retry.backoff')?.verdict).toBe('failed');
    expect(cell('sequential', 'client.retry.backoff')?.verdict).toBe('passed');
  });

  test('the HTML matrix: a row per program, a column per requirement, each cell linking to its evidence', () => {
    expect(html).toContain('<h1>OAuth client harness: how 3 client programs behaved</h1>');
    const section = /<section id="matrix">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(section.match(/<tr data-program=/g)).toHaveLength(3);
    const failed =
      /<td class="mx mx-failed" data-cell="careless\|client\.token\.reuse"[^>]*><a href="#(tc-\d+)">fail<\/a><\/td>/.exec(
        section,
      );
    expect(failed, section.slice(0, 2000)).not.toBeNull();
    // the link's target is the testcase row that failed
    const row = new RegExp(
      `<tr class="case" data-outcome="failed" data-testcase="client\\.token\\.reuse \\[careless: normal\\]" id="${failed?.[1]}"`,
    );
    expect(html).toMatch(row);
    expect(section).toMatch(
      /data-cell="sequential\|client\.token-limit\.stops-minting" data-verdict="not-exercised"[^>]*>–<\/td>/,
    );
    // every link in the matrix lands on an element of the page
    for (const [, id] of section.matchAll(/href="#([^"]+)"/g)) expect(html).toContain(`id="${id}"`);
    // Nothing loaded from elsewhere: no script, no external src or href (a source's public URL
    // is shown as text).
    expect(html).not.toMatch(/<script\b|\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
  });

  test("the README's findings table is generated from the run, not written by hand", () => {
    const about = (name: string) => ({ name, label: `**${name}**`, about: `what ${name} does` });
    const table = findingsTable(
      report,
      [about('careless'), about('sequential'), about('fixed-retry'), about('absent')],
      new Map([['absent', 'python3 cannot import x']]),
    ).split('\n');
    expect(table[0]).toMatch(
      /^Generated by `npm run clients:matrix` from one `--strict` run \(seed 1, \d{4}-\d\d-\d\d, 3 clients, 3 scenarios each\)/,
    );
    expect(table).toContain(
      '| **careless** | `client.token.reuse` (normal, token-limit-reached), `client.token-limit.keeps-working` (token-limit-reached) | none | `client.retry.no-retry-on-client-error` | what careless does |',
    );
    expect(table).toContain(
      '| **sequential** | none | none | `client.retry.no-retry-on-client-error`, `client.token-limit.stops-minting` | what sequential does |',
    );
    expect(table.find((line) => line.startsWith('| **fixed-retry** |'))).toMatch(
      /^\| \*\*fixed-retry\*\* \| `client\.retry\.backoff` \(server-error-first\) \|/,
    );
    expect(table).toContain(
      '| **absent** | not run: python3 cannot import x | | | what absent does |',
    );
  });

  test.skipIf(!existsSync(CHROMIUM))(
    "renders in headless Chromium, screenshot kept (needs Debian's chromium at /usr/bin/chromium)",
    async () => {
      const page = join(reports, 'index.html');
      const profile = mkdtempSync(join(tmpdir(), 'client-matrix-chromium-'));
      temp.push(profile);
      const chromium = async (args: string[]) =>
        (
          await promisify(execFile)(
            CHROMIUM,
            [
              '--headless',
              '--no-sandbox',
              '--disable-gpu',
              '--disable-dev-shm-usage',
              '--no-first-run',
              '--disable-background-networking',
              '--disable-component-update',
              '--disable-sync',
              `--user-data-dir=${profile}`,
              ...args,
              pathToFileURL(page).href,
            ],
            { timeout: 30_000, maxBuffer: 32 * 1024 * 1024 },
          )
        ).stdout;
      const dom = await chromium(['--dump-dom']);
      expect(dom.match(/<td class="mx mx-failed"/g)?.length).toBeGreaterThanOrEqual(3);
      expect(dom).toMatch(/<tr data-program="fixed-retry">/);
      mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
      rmSync(SCREENSHOT, { force: true });
      await chromium([`--screenshot=${SCREENSHOT}`, '--window-size=1280,1000']);
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
      console.log(`client matrix screenshot: ${SCREENSHOT}`);
    },
    75_000,
  );
});

describe.concurrent('bad programs files: one line, exit 2', () => {
  test.each([
    ['not JSON', '{programs', /is not JSON/],
    ['no list', { program: [] }, /expected \{"programs"/],
    [
      'a command that is not a list',
      { programs: [{ name: 'a', command: 'node a.mjs' }] },
      /programs\[0\]\.command must be an array of strings/,
    ],
    [
      'an unknown key',
      { programs: [{ name: 'a', command: ['node'], env: {} }] },
      /unknown key "env"/,
    ],
    [
      'a bad name',
      { programs: [{ name: 'a b', command: ['node'] }] },
      /a program's name is 1 to 64/,
    ],
    [
      'a name twice',
      {
        programs: [
          { name: 'a', command: ['node'] },
          { name: 'a', command: ['node'] },
        ],
      },
      /"a" is named twice/,
    ],
    ['no programs', { programs: [] }, /give 1 to 32 programs/],
  ])('%s', async (_what, content, message) => {
    const result = await runCli([
      'client',
      '--reports',
      tempDir('bad-programs'),
      '--programs',
      programsFile(content),
    ]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  test('--programs and a program after -- together', async () => {
    const result = await runCli([
      'client',
      '--programs',
      programsFile({ programs: [] }),
      '--',
      'node',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/either in --programs FILE or after --, not both/);
  });

  test('a missing file', async () => {
    const result = await runCli(['client', '--programs', '/nonexistent/programs.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--programs \/nonexistent\/programs\.json: cannot read it \(ENOENT\)/,
    );
  });
});
