/**
 * `oauth-conformance run`: resolves the target (starting the embedded reference mock when none is
 * given), checks that it speaks HTTP, runs the suites in suites/ through vitest with the run
 * context provided to them, and writes the JUnit report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BaseSequencer, startVitest, type TestSpecification } from 'vitest/node';
import type { ContainerTarget, RunContext, RunSettings } from './config.ts';
import type { StartedContainer } from './container.ts';
import {
  ConformanceError,
  EXIT_CODES,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_PASSED,
} from './errors.ts';
import { configureTransport, send, transportFailureKind } from './http.ts';
import { findLeaks } from './leak-scan.ts';
import { startMock } from './mock/index.ts';
import { PACKAGE_ROOT, packagePath, TOOL_VERSION } from './paths.ts';
import {
  formatDuration,
  formatSpendByAccount,
  type Plan,
  planRun,
  spentByAccount,
} from './plan.ts';
import { accountSecrets, createAccountsRedactor } from './redact.ts';
import { writeReports } from './reporters/index.ts';
import { CollectingReporter, countOutcomes, type TestcaseRecord } from './reporters/record.ts';
import type { RunReport } from './reporters/report.ts';
import { printTestcase, summaryLines } from './reporters/summary.ts';
import { AREA_ORDER, areasFor, catalogData } from './specs.ts';
import { oneLine } from './text.ts';
import type { Accounts, RateLimit } from './types.ts';

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
  report: RunReport;
  junitPath: string;
  seed: number;
  plan: Plan;
  spend: Spend;
  /** What the budget booked, by key label (src/budget.ts): what the plan's `byKey` predicts. */
  spentByKey: Record<string, number>;
  elapsedMs: number;
}

/** What the run spent on each rate-limited endpoint, as the worker recorded it. */
export interface Spend {
  token: number;
  revoke: number;
  unplanned429s: number;
}

/** What became of each --allow entry in this run. */
function allowanceStatus(
  settings: RunSettings,
  records: readonly TestcaseRecord[],
): RunReport['allowances'] {
  const statusOf = (requirement: string): RunReport['allowances'][number]['status'] => {
    const mine = records.filter((record) => record.requirement === requirement);
    if (mine.some((record) => record.outcome === 'allowed')) return 'allowed';
    if (mine.length > 0 && mine.every((record) => record.outcome === 'passed'))
      return 'now-passing';
    return 'not-run';
  };
  return [
    ...settings.allowances.map((entry) => ({ ...entry, status: statusOf(entry.requirement) })),
    ...settings.expiredAllowances.map((entry) => ({ ...entry, status: 'expired' as const })),
  ];
}

function readTokens(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function readSpentByKey(file: string): Record<string, number> {
  try {
    return (
      (JSON.parse(readFileSync(file, 'utf8')) as { spent?: Record<string, number> }).spent ?? {}
    );
  } catch {
    return {};
  }
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
    const kind = transportFailureKind(exchange.error.code);
    throw new ConformanceError(
      'TARGET_UNREACHABLE',
      `target ${context.target} is unreachable or does not speak HTTP (${kind}): ${exchange.error.code} ${exchange.error.message}`,
      { kind },
    );
  }
}

function suiteTimeoutMs(context: RunContext): number {
  // The longer window of the two endpoints: a burst waits out a quiet window and a Retry-After.
  const windowMs =
    Math.max(context.rateLimit?.windowSeconds ?? 0, context.revokeRateLimit?.windowSeconds ?? 0) *
    1000;
  return 3 * windowMs + 4 * context.timeoutMs + 60_000;
}

/**
 * Starts the container target, and stops it on SIGINT or SIGTERM too: the run is then over, so
 * the process exits (130) once the container is gone.
 */
async function startContainerTarget(spec: ContainerTarget, io: RunIo): Promise<StartedContainer> {
  io.out(
    `oauth-conformance: starting a container from ${spec.image} (port ${spec.port}; it has ${spec.startupTimeoutMs / 1000} s to answer HTTP)`,
  );
  // testcontainers is loaded only by runs that need it.
  const { startContainer } = await import('./container.ts');
  const started = await startContainer(spec);
  io.out(`oauth-conformance: container ready at ${started.url}`);
  const onSignal = (signal: NodeJS.Signals) => {
    io.out(`${signal}: removing the container from ${spec.image}`);
    // Synchronous: vitest's own handler exits the process right after this one.
    started.removeNow();
    process.exit(EXIT_INTERRUPTED);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    ...started,
    async stop() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await started.stop();
    },
  };
}

/**
 * Runs the suite against the target `settings` name and writes the reports. Throws a
 * ConformanceError when the target cannot be tested at all (TARGET_UNREACHABLE: unreachable, not
 * HTTP, TLS, timeout, or a container that will not start), after writing the three reports with
 * that reason as their one errored testcase, so CI has a report to show.
 */
export async function runConformance(settings: RunSettings, io: RunIo): Promise<RunResult> {
  const startedAt = new Date();
  let container: StartedContainer | undefined;
  try {
    if (settings.container) container = await startContainerTarget(settings.container, io);
    return await runAgainst(settings, container, io);
  } catch (error) {
    if (
      error instanceof ConformanceError &&
      EXIT_CODES[error.code] === EXIT_CODES.TARGET_UNREACHABLE
    )
      writeAbortedReports(settings, container, error, startedAt, io);
    throw error;
  } finally {
    await container?.stop();
  }
}

/** The reports of a run that could not test its target: no testcase, one error that says why. */
function writeAbortedReports(
  settings: RunSettings,
  container: StartedContainer | undefined,
  error: ConformanceError,
  startedAt: Date,
  io: RunIo,
): void {
  const redactor = createAccountsRedactor(settings.accounts);
  const report: RunReport = {
    tool: { name: 'oauth-conformance', version: TOOL_VERSION },
    target:
      container?.url ??
      settings.target ??
      (settings.container ? `container:${settings.container.image}` : 'embedded reference mock'),
    targetKind: settings.container ? 'container' : settings.target ? 'url' : 'embedded-mock',
    profile: settings.profile,
    seed: settings.seed,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    plan: { token: 0, revoke: 0, leastWallMs: 0 },
    spent: { token: 0, revoke: 0, unplanned429s: 0 },
    allowances: [],
    crashes: [],
    aborted: { kind: error.kind ?? 'unreachable', reason: oneLine(redactor.redact(error.message)) },
    testcases: [],
  };
  const written = writeReports(report, settings.reportsDir, redactor);
  io.out(`reports ${written.join(', ')}`);
}

async function runAgainst(
  settings: RunSettings,
  container: StartedContainer | undefined,
  io: RunIo,
): Promise<RunResult> {
  const mock =
    settings.target || container
      ? undefined
      : await startMock({
          seed: settings.seed,
          accounts: settings.accounts,
          ...(settings.rateLimit ? { rateLimit: settings.rateLimit } : {}),
          ...(settings.revokeRateLimit ? { revokeRateLimit: settings.revokeRateLimit } : {}),
          ...(settings.tokenLifetimeSeconds
            ? { tokenLifetimeSeconds: settings.tokenLifetimeSeconds }
            : {}),
          ...(settings.secondMs !== 1000 ? { secondMs: settings.secondMs } : {}),
        });
  const scratch = mkdtempSync(join(tmpdir(), 'oauth-conformance-run-'));
  try {
    const accounts = (mock ? mock.accounts : settings.accounts) as Accounts;
    const unplanned: RunContext = {
      ...settings,
      target: mock?.url ?? container?.url ?? (settings.target as string),
      targetKind: mock ? 'embedded-mock' : container ? 'container' : 'url',
      accounts,
      deadlineAt: Date.now() + settings.deadlineMs,
      spendFile: join(scratch, 'spend.json'),
      tokensFile: join(scratch, 'tokens'),
    };
    const plan = await planRun(unplanned);
    const context: RunContext = {
      ...unplanned,
      accountAssignment: plan.assignment,
      catalog: catalogData(),
    };
    const redactor = createAccountsRedactor(accounts);
    const junitPath = resolve(settings.reportsDir, 'junit.xml');
    const per = (limit: RateLimit | null) =>
      limit ? `${limit.requests} per ${limit.windowSeconds} s` : 'none known';
    const clock =
      context.secondMs === 1000
        ? ''
        : ` (on the embedded mock's clock, where 1 s lasts ${context.secondMs} ms)`;
    io.out(`oauth-conformance run`);
    io.out(
      `  target   ${context.target}${mock ? ' (embedded reference mock)' : container ? ` (container from ${container.image})` : ''}`,
    );
    io.out(`  profile  ${context.profile}`);
    io.out(`  seed     ${context.seed} (--seed ${context.seed} reproduces this run)`);
    io.out(
      `  limits   token ${per(context.rateLimit)}, revoke ${per(context.revokeRateLimit)}${clock}; fault hook ${context.faultHook ? 'on' : 'off'}; probe ${context.resourceProbe?.path ?? 'none'}`,
    );
    io.out(
      `  plan     ${plan.requests.token} token and ${plan.requests.revoke} revoke requests (token/revoke by account: ${formatSpendByAccount(plan.byAccount)}); the limits allow them in no less than ${formatDuration(plan.leastWallMs)}`,
    );
    io.out('');
    configureTransport(context.ca ? { ca: context.ca } : {});
    await checkReachable(context);

    const collector = new CollectingReporter((record) => printTestcase(record, io.out, redactor));
    const startedAt = new Date();
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
        reporters: [collector],
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
    const spentByKey = readSpentByKey(context.spendFile);
    const crashes = [...collector.crashes];
    if (collector.records.length === 0) crashes.push('no testcase ran: the run proves nothing');
    const report: RunReport = {
      tool: { name: 'oauth-conformance', version: TOOL_VERSION },
      target: context.target,
      targetKind: context.targetKind,
      profile: context.profile,
      seed: context.seed,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(elapsedMs),
      plan: { ...plan.requests, leastWallMs: plan.leastWallMs },
      spent: spend,
      allowances: allowanceStatus(settings, collector.records),
      crashes: crashes.map((crash) => redactor.redact(crash)),
      testcases: collector.records,
    };
    const written = writeReports(report, settings.reportsDir, redactor);
    const leaks = findLeaks(written, [
      ...accountSecrets(accounts),
      ...readTokens(context.tokensFile),
    ]);
    for (const leak of leaks) rmSync(leak.file, { force: true });

    io.out('');
    for (const line of summaryLines(report)) io.out(redactor.redact(line));
    io.out(
      `spent ${spend.token} token and ${spend.revoke} revoke requests (${formatSpendByAccount(spentByAccount(context, spentByKey))}) in ${formatDuration(elapsedMs)} (least the limits allow: ${formatDuration(plan.leastWallMs)}); unplanned 429s: ${spend.unplanned429s}`,
    );
    io.out(`seed ${context.seed}; reports ${written.join(', ')}`);
    for (const entry of report.allowances) {
      if (entry.status === 'expired')
        io.out(
          `allowance expired on ${entry.expires}, which fails the run: ${entry.requirement} (${entry.reason})`,
        );
      if (entry.status === 'now-passing')
        io.out(`allowed deviation now passes; remove it from the allow file: ${entry.requirement}`);
    }
    for (const leak of leaks) {
      io.out(
        `SECRET IN REPORT: ${leak.file} contained ${leak.what}; the file was removed. This is a redaction bug: please report it.`,
      );
    }
    const failed = countOutcomes(report.testcases).failed;
    const exitCode =
      failed > 0 || crashes.length > 0 || leaks.length > 0 ? EXIT_FAILED : EXIT_PASSED;
    return { exitCode, report, junitPath, seed: context.seed, plan, spend, spentByKey, elapsedMs };
  } finally {
    await mock?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
