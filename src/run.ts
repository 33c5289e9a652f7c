/**
 * `oauth-conformance run`: resolves the target (starting the embedded reference mock when none is
 * given), checks that it speaks HTTP, runs the suites in suites/ through vitest with the run
 * context provided to them, and writes the JUnit report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BaseSequencer, startVitest, type TestSpecification } from 'vitest/node';
import type { RunContext, RunSettings } from './config.ts';
import { ConformanceError, EXIT_FAILED, EXIT_PASSED } from './errors.ts';
import { send } from './http.ts';
import { startMock } from './mock/index.ts';
import { PACKAGE_ROOT, packagePath } from './paths.ts';
import { formatDuration, type Plan, planRun } from './plan.ts';
import { createRedactor } from './redact.ts';
import { emptyTally, SummaryReporter, type Tally } from './reporters/summary.ts';
import { AREA_ORDER, areasFor } from './specs.ts';
import { ACCOUNT_ROLES, type Accounts, type RateLimit } from './types.ts';

class SuiteOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = AREA_ORDER.findIndex((area) => spec.moduleId.endsWith(`/${area}.test.ts`));
      return index < 0 ? AREA_ORDER.length : index;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export interface RunResult {
  exitCode: number;
  tally: Tally;
  junitPath: string;
  seed: number;
  plan: Plan;
  spend: Spend;
  elapsedMs: number;
}

/** What the run spent on each rate-limited endpoint, as the worker recorded it. */
export interface Spend {
  token: number;
  revoke: number;
  unplanned429s: number;
}

function readSpend(file: string, revokePath: string): Spend {
  const spend: Spend = { token: 0, revoke: 0, unplanned429s: 0 };
  let data: { spent?: Record<string, number>; unplanned429s?: number };
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return spend;
  }
  for (const [label, count] of Object.entries(data.spent ?? {})) {
    if (label.startsWith(`${revokePath} [`)) spend.revoke += count;
    else spend.token += count;
  }
  spend.unplanned429s = data.unplanned429s ?? 0;
  return spend;
}

export interface RunIo {
  out: (line: string) => void;
}

async function checkReachable(context: RunContext): Promise<void> {
  const exchange = await send(
    { method: 'GET', url: `${context.target}/`, headers: { accept: 'application/json' } },
    { timeoutMs: Math.min(context.timeoutMs, 10_000), maxBodyBytes: 4096 },
  );
  if (exchange.error) {
    throw new ConformanceError(
      'TARGET_UNREACHABLE',
      `target ${context.target} is unreachable or does not speak HTTP: ${exchange.error.code} ${exchange.error.message}`,
    );
  }
}

function suiteTimeoutMs(context: RunContext): number {
  const windowMs = (context.rateLimit?.windowSeconds ?? 0) * 1000;
  return 3 * windowMs + 4 * context.timeoutMs + 60_000;
}

export async function runConformance(settings: RunSettings, io: RunIo): Promise<RunResult> {
  const mock = settings.target
    ? undefined
    : await startMock({
        seed: settings.seed,
        accounts: settings.accounts,
        ...(settings.rateLimit ? { rateLimit: settings.rateLimit } : {}),
        ...(settings.revokeRateLimit ? { revokeRateLimit: settings.revokeRateLimit } : {}),
        ...(settings.tokenLifetimeSeconds
          ? { tokenLifetimeSeconds: settings.tokenLifetimeSeconds }
          : {}),
      });
  const scratch = mkdtempSync(join(tmpdir(), 'oauth-conformance-run-'));
  try {
    const accounts = (mock ? mock.accounts : settings.accounts) as Accounts;
    const context: RunContext = {
      ...settings,
      target: mock ? mock.url : (settings.target as string),
      targetKind: mock ? 'embedded-mock' : 'url',
      accounts,
      spendFile: join(scratch, 'spend.json'),
    };
    const redactor = createRedactor();
    for (const role of ACCOUNT_ROLES) {
      const account = accounts[role];
      if (account) redactor.addCredentials(account.clientId, account.clientSecret);
    }
    const junitPath = resolve(settings.reportsDir, 'junit.xml');
    const per = (limit: RateLimit | null) =>
      limit ? `${limit.requests} per ${limit.windowSeconds} s` : 'none known';
    const plan = await planRun(context);
    io.out(`oauth-conformance run`);
    io.out(`  target   ${context.target}${mock ? ' (embedded reference mock)' : ''}`);
    io.out(`  profile  ${context.profile}`);
    io.out(`  seed     ${context.seed} (--seed ${context.seed} reproduces this run)`);
    io.out(
      `  limits   token ${per(context.rateLimit)}, revoke ${per(context.revokeRateLimit)}; fault hook ${context.faultHook ? 'on' : 'off'}; probe ${context.resourceProbe?.path ?? 'none'}`,
    );
    io.out(
      `  plan     ${plan.requests.token} token and ${plan.requests.revoke} revoke requests; the limits allow them in no less than ${formatDuration(plan.leastWallMs)}`,
    );
    io.out('');
    await checkReachable(context);

    const tally = emptyTally();
    const started = performance.now();
    const vitest = await startVitest(
      'test',
      [],
      {
        config: false,
        root: PACKAGE_ROOT,
        dir: packagePath('suites'),
        // Only suites with a requirement in the profile: vitest fails a suite file that defines no test.
        include: areasFor(context.profile).map((area) => `**/${area}.test.ts`),
        watch: false,
        reporters: [
          new SummaryReporter(tally, io.out, redactor),
          [
            'junit',
            {
              outputFile: junitPath,
              suiteName: `oauth-conformance ${context.profile}`,
              classnameTemplate: '{filename}',
            },
          ],
        ],
        provide: { run: context },
        pool: 'threads',
        maxWorkers: 1,
        isolate: false,
        fileParallelism: false,
        sequence: { sequencer: SuiteOrder },
        testTimeout: suiteTimeoutMs(context),
        hookTimeout: suiteTimeoutMs(context),
      },
      { logLevel: 'error', server: { watch: null } },
    );
    await vitest.close();
    const elapsedMs = performance.now() - started;
    const spend = readSpend(context.spendFile, context.paths.revoke);

    io.out('');
    io.out(
      `passed ${tally.passed}, failed ${tally.failed}, warnings ${tally.warned}, skipped ${tally.skipped}`,
    );
    for (const [reason, count] of tally.skipReasons)
      io.out(`  skipped ${count}: ${redactor.redact(reason)}`);
    io.out(
      `spent ${spend.token} token and ${spend.revoke} revoke requests in ${formatDuration(elapsedMs)} (least the limits allow: ${formatDuration(plan.leastWallMs)}); unplanned 429s: ${spend.unplanned429s}`,
    );
    io.out(`seed ${context.seed}; report ${junitPath}`);
    if (tally.passed + tally.failed + tally.warned + tally.skipped === 0) {
      tally.crashes.push('no testcase ran');
      io.out('no testcase ran: the run proves nothing');
    }
    const exitCode = tally.failed > 0 || tally.crashes.length > 0 ? EXIT_FAILED : EXIT_PASSED;
    return { exitCode, tally, junitPath, seed: context.seed, plan, spend, elapsedMs };
  } finally {
    await mock?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
