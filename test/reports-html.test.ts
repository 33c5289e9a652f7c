// The HTML report on a hand-built run: the counts it shows, its escaping of what servers wrote, its
// refusal to reach the network, and (when Debian's chromium is installed) how a browser renders it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { escapeHtml, htmlReport } from '../src/report/html.ts';
import type { TestcaseRecord } from '../src/report/record.ts';
import type { RunReport } from '../src/report/report.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../reports/self-tests/html-report.png', import.meta.url));

const EXCHANGE = [
  'expected: 401 Unauthorized',
  'got: 200 OK',
  'requirement: token.invalid_client.401 (documented)',
  'exchange:',
  '> POST /api/oauth/token HTTP/1.1',
  '> Authorization: Basic [REDACTED]',
  '> Content-Type: application/x-www-form-urlencoded',
  '>',
  '> grant_type=client_credentials',
  '< HTTP/1.1 200 OK',
  '< Content-Type: text/html',
  '<',
  '< <html><script>alert(1)</script><a href="https://evil.example/x">x</a><img src="http://evil.example/p.png"></html>',
].join('\n');

function record(
  requirement: string,
  testCase: string,
  level: TestcaseRecord['level'],
  outcome: TestcaseRecord['outcome'],
  extra: Partial<TestcaseRecord> = {},
): TestcaseRecord {
  return {
    name: `${requirement} [${testCase}]`,
    area: requirement.split('.', 1)[0] ?? requirement,
    requirement,
    level,
    source: `000_576e08fde29da5ee.txt: "a sentence about ${requirement}"`,
    trigger: `POST with ${testCase}`,
    outcome,
    notes: [],
    durationMs: 12,
    ...extra,
  };
}

const TESTCASES: TestcaseRecord[] = [
  record('token.200.status', 'valid credentials', 'documented', 'passed'),
  record('token.200.body', 'valid credentials', 'documented', 'passed', {
    notes: ['expires_in was 3600'],
  }),
  record('token.invalid_client.401', 'wrong secret', 'documented', 'failed', {
    reason: 'expected status 401, got 200 <script>alert(1)</script>',
    details: EXCHANGE,
  }),
  record('token.invalid_client.401', 'unknown client', 'documented', 'failed', {
    reason: 'expected status 401, got 500',
    details: 'expected: 401\ngot: 500\n< HTTP/1.1 500 Internal Server Error',
  }),
  record('token.200.token_type', 'valid credentials', 'rfc-should', 'warned', {
    reason: 'token_type is "bearer", not "Bearer"',
  }),
  record('token.unsupported_grant_type.400', 'password grant', 'rfc-must', 'skipped', {
    reason: 'not in the atlas profile',
  }),
  record('revoke.200.no-body', 'valid token', 'documented', 'passed'),
  record('revoke.unsupported_token_type.400', 'refresh_token hint', 'rfc-must', 'drift', {
    reason: 'answered 200 where the baseline said 400',
  }),
  record('revoke.invalid_token.200', 'garbage token', 'observed', 'allowed', {
    reason: 'allowed deviation: 400 invalid_request',
    details: '< HTTP/1.1 400 Bad Request\n< {"error":"invalid_request"}',
  }),
  record('revoke.invalid_client.401', "client 'x' & <friends>", 'rfc-must', 'failed', {
    reason: 'expected status 401, got 403',
  }),
];

const REPORT: RunReport = {
  tool: { name: 'oauth-conformance', version: '0.1.0' },
  target: 'https://cloud.mongodb.com',
  targetKind: 'url',
  profile: 'atlas',
  seed: 424242,
  startedAt: '2026-11-23T07:00:00.000Z',
  durationMs: 83_456,
  plan: { token: 40, revoke: 30, leastWallMs: 60_000 },
  spent: { token: 37, revoke: 29, unplanned429s: 1 },
  allowances: [],
  crashes: [],
  testcases: TESTCASES,
};

// Worked out by hand from TESTCASES, not with countOutcomes.
const EXPECTED: Record<string, number> = {
  'token-passed': 2,
  'token-failed': 2,
  'token-warned': 1,
  'token-skipped': 1,
  'token-drift': 0,
  'token-allowed': 0,
  'token-tests': 6,
  'revoke-passed': 1,
  'revoke-failed': 1,
  'revoke-warned': 0,
  'revoke-skipped': 0,
  'revoke-drift': 1,
  'revoke-allowed': 1,
  'revoke-tests': 4,
  'total-passed': 3,
  'total-failed': 3,
  'total-warned': 1,
  'total-skipped': 1,
  'total-drift': 1,
  'total-allowed': 1,
  'total-tests': 10,
  'documented-passed': 3,
  'documented-failed': 2,
  'documented-tests': 5,
  'rfc-must-skipped': 1,
  'rfc-must-drift': 1,
  'rfc-must-failed': 1,
  'rfc-must-passed': 0,
  'rfc-must-tests': 3,
  'rfc-should-warned': 1,
  'rfc-should-tests': 1,
  'observed-allowed': 1,
  'observed-tests': 1,
};

/** Every `data-count` cell of a page (as written, or as a browser serialised it): key -> number. */
function countCells(html: string): Map<string, number> {
  const cells = new Map<string, number>();
  for (const match of html.matchAll(/<td\b[^>]*\bdata-count="([^"]+)"[^>]*>(\d+)<\/td>/g)) {
    expect(cells.has(match[1] as string), `data-count="${match[1]}" appears once`).toBe(false);
    cells.set(match[1] as string, Number(match[2]));
  }
  return cells;
}

function expectCounts(html: string): void {
  const cells = countCells(html);
  for (const [key, value] of Object.entries(EXPECTED)) {
    expect(cells.get(key), `data-count="${key}"`).toBe(value);
  }
}

describe('htmlReport', () => {
  const html = htmlReport(REPORT);

  test('counts by endpoint, by level and in total', () => {
    expectCounts(html);
    expect(html).toMatch(/<table class="counts" id="counts-by-endpoint">/);
    expect(html).toMatch(/<table class="counts" id="counts-by-level">/);
  });

  test('the header: target, profile, seed, start, duration, requests spent and unplanned 429s', () => {
    expect(html).toContain('<dd data-meta="target">https://cloud.mongodb.com (url)</dd>');
    expect(html).toContain('<dd data-meta="profile">atlas</dd>');
    expect(html).toContain('<dd data-meta="seed">424242</dd>');
    expect(html).toContain('<dd data-meta="started-at">2026-11-23T07:00:00.000Z</dd>');
    expect(html).toContain('<dd data-meta="duration">1 min 23 s</dd>');
    expect(html).toMatch(
      /data-meta="requests-spent">token 37 \(planned 40\), revoke 29 \(planned 30\)</,
    );
    expect(html).toContain('<dd data-meta="unplanned-429s">1</dd>');
    expect(html).toContain('data-status="failed"');
  });

  test('one row per testcase, grouped by requirement, with source, verdict and reason', () => {
    expect(html.match(/<tr class="case"/g)).toHaveLength(TESTCASES.length);
    expect(html.match(/<tbody class="requirement"/g)).toHaveLength(9);
    const group =
      /<tbody[^>]*data-requirement="token\.invalid_client\.401"[^>]*>([\s\S]*?)<\/tbody>/.exec(
        html,
      )?.[1];
    expect(group).toBeDefined();
    expect(group).toContain('<span class="level l-documented">documented</span>');
    expect(group).toContain('a sentence about token.invalid_client.401');
    expect(group?.match(/<tr class="case" data-outcome="failed"/g)).toHaveLength(2);
    expect(group).toContain('wrong secret');
    expect(group).toContain('unknown client');
    expect(group).toContain('expected status 401, got 500');
    // The failure's exchange, folded.
    expect(group).toMatch(
      /<details class="failure"><summary>[^<]+<\/summary><pre>expected: 401 Unauthorized/,
    );
    expect(html).toContain('&gt; Authorization: Basic [REDACTED]');
    // Every outcome gets its styled verdict.
    for (const outcome of ['passed', 'failed', 'warned', 'skipped', 'drift', 'allowed'])
      expect(html).toContain(`<span class="verdict v-${outcome}">${outcome}</span>`);
  });

  test('what servers wrote is text: no script, no tag, no attribute breaks out', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<a\b/i);
    expect(html).toContain('got 200 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;html&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(
      'data-testcase="revoke.invalid_client.401 [client &#39;x&#39; &amp; &lt;friends&gt;]"',
    );
  });

  test('escapeHtml: markup characters as entities, control characters and lone surrogates as U+FFFD', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    expect(escapeHtml('a\u0000b\u001bc\td\r\ne\ud800f')).toBe('a\ufffdb\ufffdc\td\r\ne\ufffdf');
  });

  test('nothing reaches the network: no http(s) URL in src= or href=, no external CSS or script', () => {
    const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(50);
    for (const tag of tags) {
      expect(tag).not.toMatch(
        /\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\//i,
      );
    }
    expect(html).not.toMatch(/<link\b|<script\b|<iframe\b|@import|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
  });

  test('a clean run says so, and a crash is shown', () => {
    const clean = htmlReport({
      ...REPORT,
      testcases: TESTCASES.filter((entry) => entry.outcome !== 'failed'),
    });
    expect(clean).toContain('data-status="passed"');
    expect(countCells(clean).get('total-failed')).toBe(0);
    const crashed = htmlReport({
      ...REPORT,
      testcases: [],
      crashes: ['suites/token.test.ts: <boom>'],
    });
    expect(crashed).toContain('data-status="failed"');
    expect(crashed).toContain('<pre>suites/token.test.ts: &lt;boom&gt;</pre>');
    expect(countCells(crashed).get('total-tests')).toBe(0);
  });
});

describe('htmlReport in a browser', () => {
  const temp: string[] = [];
  afterAll(() => {
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  const chromium = async (page: string, args: string[]) => {
    const profile = mkdtempSync(join(tmpdir(), 'html-report-chromium-'));
    temp.push(profile);
    const { stdout } = await promisify(execFile)(
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
    );
    return stdout;
  };

  test.skipIf(!existsSync(CHROMIUM))(
    "renders in headless Chromium: counts in the DOM, a screenshot (needs Debian's chromium at /usr/bin/chromium)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'html-report-'));
      temp.push(dir);
      const page = join(dir, 'index.html');
      writeFileSync(page, htmlReport(REPORT));

      const dom = await chromium(page, ['--dump-dom']);
      expectCounts(dom);
      expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(dom).not.toMatch(/<script/i);

      mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
      rmSync(SCREENSHOT, { force: true });
      await chromium(page, [`--screenshot=${SCREENSHOT}`, '--window-size=1280,2000']);
      expect(existsSync(SCREENSHOT)).toBe(true);
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(0);
      console.log(`HTML report screenshot: ${SCREENSHOT}`);
    },
    75_000,
  );
});
