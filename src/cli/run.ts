/**
 * `oauth-conformance run`: resolves the target (starting the embedded reference mock when none is
 * given), checks that it speaks HTTP, runs the suites in suites/ through vitest with the run
 * context provided to them, and writes the JUnit report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseSequencer, startVitest, type TestSpecification } from 'vitest/node';
import { AREA_ORDER, areasFor, catalogData } from '../contract/catalog.ts';
import { type MockHandle, startMock } from '../mock/index.ts';
import { allowanceName, allowanceStatus, failingAllowances } from '../report/allowances.ts';
import { finishReports, prepareReportsDir } from '../report/index.ts';
import { CollectingReporter, countOutcomes } from '../report/record.ts';
import type { RunReport } from '../report/report.ts';
import { printTestcase } from '../report/summary.ts';
import {
  ConformanceError,
  EXIT_CODES,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_PASSED,
} from '../shared/errors.ts';
import { CODE_EXTENSION, PACKAGE_ROOT, SUITES_DIR, TOOL_VERSION } from '../shared/paths.ts';
import {
  accountSecrets,
  createAccountsRedactor,
  MIN_SECRET_LENGTH,
  type Redactor,
} from '../shared/redact.ts';
import { formatDuration, oneLine, useRedactor } from '../shared/text.ts';
import type { Accounts, RateLimit } from '../shared/types.ts';
import type { ContainerTarget, RunContext, RunSettings } from '../suite/config.ts';
import { earlyWaitMs, plannedWaits } from '../suite/early-start.ts';
import { formatSpendByAccount, type Plan, planRun, spentByAccount } from '../suite/plan.ts';
import type { StartedContainer } from '../target/container.ts';
import { loadContainerSupport } from '../target/optional-deps.ts';
import { ensureSafeTransport } from '../target/target-check.ts';

class SuiteOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = AREA_ORDER.findIndex((area) =>
        spec.moduleId.endsWith(`/${area}.test${CODE_EXTENSION}`),
      );
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
  /** What the budget booked, by key label (src/target/budget.ts): what the plan's `byKey` predicts. */
  spentByKey: Record<string, number>;
  elapsedMs: number;
}

/** What the run spent on each rate-limited endpoint, as the worker recorded it. */
export interface Spend {
  token: number;
  revoke: number;
  unplanned429s: number;
}

/** The tokens (and values derived from them) the worker saw, one JSON string per line. */
function readTokens(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line) as string;
      } catch {
        return line;
      }
    });
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
  // Loaded here, not with this module: a run against the embedded mock sends nothing from this
  // thread (the suites' worker loads its own), and undici costs this thread 0.1 s or more.
  const { configureTransport, send, transportFailureKind } = await import('../target/http.ts');
  configureTransport(context.ca ? { ca: context.ca } : {});
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
  // The waits that start with the run (a token's lifetime, the active-token limit) hold a hook or
  // the testcase that collects them (src/early-start.ts).
  return 3 * windowMs + 4 * context.timeoutMs + 60_000 + earlyWaitMs(context);
}

/** Everything a run holds that an interruption must finish or clean up. */
interface RunState {
  settings: RunSettings;
  startedAt: Date;
  redactor: Redactor;
  /** The reports directory, checked before the first request. */
  reportsDir: string;
  container?: StartedContainer;
  mock?: MockHandle;
  /** A private temp dir: the worker's spend and the tokens it saw. Removed whatever ends the run. */
  scratch?: string;
  context?: RunContext;
  plan?: Plan;
  collector?: CollectingReporter;
}

/**
 * Runs the suite against the target `settings` name and writes the reports.
 *
 * - The reports directory is checked before anything is sent (a USAGE error, exit 2, when it
 *   cannot be used), and a plain-http target must resolve to loopback only.
 * - A target that cannot be tested at all (TARGET_UNREACHABLE: unreachable, reset, not HTTP,
 *   TLS, timeout, or a container that will not start) throws a ConformanceError after the three
 *   reports are written with that reason as their one errored testcase, so CI has a report.
 * - SIGINT or SIGTERM stops the run: the reports of the testcases that finished are written,
 *   marked interrupted, the scratch dir and a container are removed, and the process exits 130.
 */
export async function runConformance(settings: RunSettings, io: RunIo): Promise<RunResult> {
  const state: RunState = {
    settings,
    startedAt: new Date(),
    redactor: createAccountsRedactor(settings.accounts),
    reportsDir: prepareReportsDir(settings.reportsDir),
  };
  useRedactor((text) => state.redactor.redact(text));
  if (settings.target) await ensureSafeTransport(settings.target, settings.allowInsecureHttp);
  const onSignal = (signal: NodeJS.Signals) => interrupt(state, signal, io);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (settings.container) state.container = await startContainerTarget(settings.container, io);
    return await runAgainst(state, io);
  } catch (error) {
    if (
      error instanceof ConformanceError &&
      EXIT_CODES[error.code] === EXIT_CODES.TARGET_UNREACHABLE
    )
      finishRun(state, io, {
        aborted: { kind: error.kind ?? 'unreachable', reason: oneLine(error.message) },
      });
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await state.mock?.close();
    await state.container?.stop();
    if (state.scratch) rmSync(state.scratch, { recursive: true, force: true });
  }
}

/**
 * SIGINT or SIGTERM: everything here is synchronous, since vitest's own handler exits the process
 * a moment later. The testcases that finished are reported, with the interruption as a suite
 * error, so a CI that publishes junit.xml publishes an interrupted run, never a stale one.
 */
function interrupt(state: RunState, signal: NodeJS.Signals, io: RunIo): never {
  const done = state.collector?.records.length ?? 0;
  io.out('');
  // What lives outside this process goes first.
  if (state.container) {
    io.out(`${signal}: removing the container from ${state.container.image}`);
    state.container.removeNow();
  }
  io.out(`${signal}: stopping the run after ${done} testcases; writing what finished`);
  try {
    finishRun(state, io, {
      interrupted: `interrupted by ${signal} after ${done} testcases: the run is incomplete`,
    });
  } finally {
    if (state.scratch) rmSync(state.scratch, { recursive: true, force: true });
  }
  process.exit(EXIT_INTERRUPTED);
}

/** Starts the container target (testcontainers is loaded only by runs that need it). */
async function startContainerTarget(spec: ContainerTarget, io: RunIo): Promise<StartedContainer> {
  io.out(
    `oauth-conformance: starting a container from ${spec.image} (port ${spec.port}; it has ${spec.startupTimeoutMs / 1000} s to answer HTTP)`,
  );
  const { startContainer } = await loadContainerSupport();
  const started = await startContainer(spec);
  io.out(`oauth-conformance: container ready at ${started.url}`);
  return started;
}

/**
 * The one end of every run that got past its arguments: finished, interrupted or aborted. Builds
 * the report from what the run has, writes it (redacted, then scanned) and prints the summary.
 */
function finishRun(
  state: RunState,
  io: RunIo,
  end: { aborted?: RunReport['aborted']; interrupted?: string } = {},
): { report: RunReport; spend: Spend; leaks: number; elapsedMs: number } {
  const { settings, context, collector, plan } = state;
  const records = collector?.records ?? [];
  const spend = context ? readSpend(context.spendFile, context.paths.revoke) : NOTHING_SPENT;
  const tokens = context ? readTokens(context.tokensFile) : [];
  for (const token of tokens) state.redactor.add(token);
  const crashes = [...(collector?.crashes ?? [])];
  if (end.interrupted) crashes.push(end.interrupted);
  else if (!end.aborted && records.length === 0)
    crashes.push('no testcase ran: the run proves nothing');
  const elapsedMs = Date.now() - state.startedAt.getTime();
  const report: RunReport = {
    tool: { name: 'oauth-conformance', version: TOOL_VERSION },
    target:
      context?.target ??
      state.container?.url ??
      settings.target ??
      (settings.container ? `container:${settings.container.image}` : 'embedded reference mock'),
    targetKind:
      context?.targetKind ??
      (settings.container ? 'container' : settings.target ? 'url' : 'embedded-mock'),
    profile: settings.profile,
    seed: settings.seed,
    startedAt: state.startedAt.toISOString(),
    durationMs: elapsedMs,
    plan: plan
      ? { ...plan.requests, leastWallMs: plan.leastWallMs }
      : { token: 0, revoke: 0, leastWallMs: 0 },
    spent: spend,
    allowances: allowanceStatus(settings, records),
    allowStale: settings.allowStale,
    crashes,
    ...(end.aborted ? { aborted: end.aborted } : {}),
    testcases: records,
  };
  // Too short to find by value without blanking ordinary text: replaced where a field names them.
  const short = new Set(tokens.filter((token) => token.length < MIN_SECRET_LENGTH)).size;
  const secrets = [
    ...accountSecrets(context?.accounts ?? settings.accounts),
    ...tokens.filter((token) => token.length >= MIN_SECRET_LENGTH),
  ];
  const byAccount =
    context && plan
      ? ` (${formatSpendByAccount(spentByAccount(context, readSpentByKey(context.spendFile)))})`
      : '';
  const spent = plan
    ? [
        `spent ${spend.token} token and ${spend.revoke} revoke requests${byAccount} in ${formatDuration(elapsedMs)} (least the limits allow: ${formatDuration(plan.leastWallMs)}); unplanned 429s: ${spend.unplanned429s}`,
      ]
    : [];
  if (short > 0)
    spent.push(
      `note: the target issued ${short} token(s) shorter than ${MIN_SECRET_LENGTH} characters; such a token is replaced where a field names it (access_token, Bearer, token=), not wherever its characters appear`,
    );
  const { leaks } = finishReports(report, state.reportsDir, state.redactor, secrets, io.out, {
    before: spent,
    reportsPrefix: `seed ${settings.seed}; `,
  });
  for (const entry of report.allowances) {
    const name = allowanceName(entry);
    if (entry.status === 'expired')
      io.out(
        `allowance expired on ${entry.expires}, which fails the run: ${name} (${entry.reason})`,
      );
    if (entry.status === 'now-passing')
      io.out(
        settings.allowStale === 'warn'
          ? `stale allowance (warning under --allow-stale warn): ${name} now passes; remove it from the allow list`
          : `stale allowance, which fails the run: ${name} now passes; remove it from the allow list (--allow-stale warn makes this a warning)`,
      );
  }
  return { report, spend, leaks: leaks.length, elapsedMs };
}

const NOTHING_SPENT: Spend = { token: 0, revoke: 0, unplanned429s: 0 };

async function runAgainst(state: RunState, io: RunIo): Promise<RunResult> {
  const { settings, container } = state;
  if (!settings.target && !container) {
    state.mock = await startMock({
      seed: settings.seed,
      accounts: settings.accounts,
      ...(settings.rateLimit ? { rateLimit: settings.rateLimit } : {}),
      ...(settings.revokeRateLimit ? { revokeRateLimit: settings.revokeRateLimit } : {}),
      ...(settings.tokenLifetimeSeconds
        ? { tokenLifetimeSeconds: settings.tokenLifetimeSeconds }
        : {}),
      ...(settings.secondMs !== 1000 ? { secondMs: settings.secondMs } : {}),
      ...(settings.maxActiveTokens === null ? {} : { maxActiveTokens: settings.maxActiveTokens }),
      maxActiveTokensByRole: settings.maxActiveTokensByRole,
      // A run is no load test: its few bursts sign faster on this thread than on worker threads
      // started mid-burst beside the suites' own (src/mock/sign-pool.ts).
      signingThreads: 0,
    });
  }
  const { mock } = state;
  const scratch = mkdtempSync(join(tmpdir(), `oauth-conformance-run-${process.pid}-`));
  state.scratch = scratch;
  const accounts = (mock ? mock.accounts : settings.accounts) as Accounts;
  if (mock) state.redactor = createAccountsRedactor(accounts);
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
  // The worker follows the plan's accounts and takes the catalog this process checked.
  const context: RunContext = {
    ...unplanned,
    accountAssignment: plan.assignment,
    catalog: catalogData(),
  };
  state.context = context;
  state.plan = plan;
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
  for (const wait of plannedWaits(context)) io.out(`           ${wait}`);
  io.out('');
  // The embedded mock listens in this process: there is nothing to find out by asking it.
  if (!mock) await checkReachable(context);

  const collector = new CollectingReporter((record) =>
    printTestcase(record, io.out, state.redactor),
  );
  state.collector = collector;
  const vitest = await startVitest(
    'test',
    [],
    {
      config: false,
      root: PACKAGE_ROOT,
      dir: SUITES_DIR,
      // Only suites with a requirement in the profile: vitest fails a suite file that defines no test.
      include: areasFor(context.profile).map((area) => `**/${area}.test${CODE_EXTENSION}`),
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
      ...(CODE_EXTENSION === '.js' ? { server: { deps: { external: [/\/dist\/src\//] } } } : {}),
    },
    { logLevel: 'error', server: { watch: null } },
  );
  await vitest.close();
  const { report, spend, leaks, elapsedMs } = finishRun(state, io);
  const { failed, errored } = countOutcomes(report.testcases);
  // Testcases whose requests were never sent (the target stopped answering, or the deadline
  // passed): the run is incomplete, which is not a verdict on the target (exit 3, as when it
  // cannot be reached at all). Leaks of ours still come first.
  const unsent = report.testcases.filter(
    (record) => record.outcome === 'skipped' && record.reason?.includes('not sent: '),
  ).length;
  if (unsent > 0)
    io.out(
      `incomplete: ${unsent} testcase(s) not judged because their requests were never sent (see the reasons above); exit ${EXIT_CODES.TARGET_UNREACHABLE}`,
    );
  const exitCode =
    leaks > 0
      ? EXIT_FAILED
      : unsent > 0
        ? EXIT_CODES.TARGET_UNREACHABLE
        : failed > 0 || errored > 0 || report.crashes.length > 0 || failingAllowances(report) > 0
          ? EXIT_FAILED
          : EXIT_PASSED;
  return {
    exitCode,
    report,
    junitPath: join(state.reportsDir, 'junit.xml'),
    seed: context.seed,
    plan,
    spend,
    spentByKey: readSpentByKey(context.spendFile),
    elapsedMs,
  };
}
