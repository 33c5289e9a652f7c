/**
 * `oauth-conformance client`: runs a program under test once per scenario against a fresh
 * reference mock, records what it sends, judges it, and writes the same reports as a suite run.
 */
import { randomBytes } from 'node:crypto';
import { sourceLine } from '../contract/catalog.ts';
import {
  generateAccounts,
  isProbePath,
  type MockHandle,
  type MockResponse,
  PROBE_PATH,
  preciseNow,
  REVOKE_PATH,
  startMock,
  TOKEN_PATH,
} from '../mock/index.ts';
import { finishReports, prepareReportsDir } from '../report/index.ts';
import { countOutcomes, type TestcaseRecord } from '../report/record.ts';
import type { RunReport } from '../report/report.ts';
import { printTestcase } from '../report/summary.ts';
import { ConformanceError, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_PASSED } from '../shared/errors.ts';
import { TOOL_VERSION } from '../shared/paths.ts';
import { accountSecrets, createAccountsRedactor, type Redactor } from '../shared/redact.ts';
import { oneLine, useRedactor, visible } from '../shared/text.ts';
import type { Account } from '../shared/types.ts';
import { decide } from '../suite/severity.ts';
import { JUDGEMENTS, type ScenarioRun } from './judgements.ts';
import { type ClientRequest, createObserver, timeline } from './observe.ts';
import { describeExit, OUTPUT_SHOWN_CHARS, runProgram } from './program.ts';
import {
  type ClientCatalog,
  type ClientRequirement,
  loadClientCatalog,
  requirementsFor,
  type Scenario,
  type ScriptedScenario,
  scriptScenarios,
} from './specs.ts';

/** One program of a matrix run: a name for its row, and its command. */
export interface ClientProgram {
  /** Letters, digits, `.`, `_` and `-`, at most 64; unique in the run. */
  name: string;
  /** The program and its arguments. */
  command: string[];
}

export interface ClientHarnessOptions {
  /** The program and its arguments (ignored when `programs` is given). */
  command: string[];
  /**
   * Several programs, each run through every scenario: one report whose testcases are named
   * `<requirement> [<program>: <scenario>]` and whose HTML shows a clients x requirements matrix.
   */
  programs?: ClientProgram[];
  /** Scenario names to run (default: all, in catalog order). */
  scenarios?: string[];
  reportsDir: string;
  /** Time limit of one run of the program. */
  timeoutMs: number;
  /** Seeds the mock's generated accounts and the scenarios' drawn Retry-After values. */
  seed: number;
  /**
   * --strict: every finding fails. Without it a finding on an `rfc-should` or `observed`
   * requirement warns (severity.ts decides, as for the suite): no document asks it of a client.
   */
  strict?: boolean;
}

export interface ClientHarnessResult {
  exitCode: number;
  report: RunReport;
  runs: ScenarioRun[];
}

let catalog: ClientCatalog | undefined;

export function getClientCatalog(): ClientCatalog {
  catalog ??= loadClientCatalog(Object.keys(JUDGEMENTS));
  return catalog;
}

/** The scenarios to run, in catalog order; unknown names are a usage error that lists the known. */
export function selectScenarios(names: readonly string[] | undefined): Scenario[] {
  const all = getClientCatalog().scenarios;
  if (!names?.length) return all;
  const known = new Set(all.map((scenario) => scenario.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length)
    throw new ConformanceError(
      'USAGE',
      `unknown scenario ${unknown.map((name) => `"${name}"`).join(', ')} (known: ${[...known].join(', ')})`,
    );
  return all.filter((scenario) => names.includes(scenario.name));
}

/** A truncated JSON body: every JSON parser refuses it, so no client can take a token from it. */
const MALFORMED_TOKEN_BODY = Buffer.from(
  '{"access_token":"eyJhbGciOiJFUzUxMiIsInR5cCI6IkpXVCJ9.eyJ',
);

/** The scenario's deliberate departures from the documented responses. */
function scriptResponse(scenario: ScriptedScenario, res: MockResponse, path: string): MockResponse {
  if (scenario.malformedTokenResponse && path === TOKEN_PATH && res.status === 200)
    return { ...res, body: MALFORMED_TOKEN_BODY };
  if (scenario.bareRevokeResponse && path === REVOKE_PATH && res.status === 200) {
    const { 'Content-Type': _dropped, ...headers } = res.headers;
    return { ...res, headers };
  }
  return res;
}

interface ScenarioOutcome {
  run: ScenarioRun;
  secrets: string[];
}

async function runScenario(
  scenario: ScriptedScenario,
  programCommand: string[],
  options: ClientHarnessOptions,
  account: Account,
  redactor: Redactor,
  signal: AbortSignal,
): Promise<ScenarioOutcome> {
  // One clock for the mock's stamps and the program's start: sub-millisecond, monotonic.
  let startedAt = preciseNow();
  let revokedAt: number | undefined;
  let okCalls = 0;
  let rotated = false;
  const extraSecrets: string[] = [];
  const clientSecret = scenario.wrongSecret
    ? randomBytes(24).toString('base64url')
    : account.clientSecret;
  redactor.addCredentials(account.clientId, clientSecret);
  const observer = createObserver({ clientId: account.clientId, clientSecret }, () => startedAt);
  // The mock generates the same accounts from the same seed; `observe` runs only once the
  // program sends something, after `mock` is assigned.
  const mock: MockHandle = await startMock({
    seed: options.seed,
    latencyMs: getClientCatalog().latencyMs,
    ...(scenario.tokenLifetimeSeconds
      ? { tokenLifetimeSeconds: scenario.tokenLifetimeSeconds }
      : {}),
    ...(scenario.maxActiveTokens ? { maxActiveTokens: scenario.maxActiveTokens } : {}),
    observe: (exchange) => {
      observer.onExchange(exchange);
      if (isProbePath(exchange.request.path) && exchange.response?.status === 200) okCalls += 1;
      const after = scenario.revokeAfterResourceCalls;
      if (after !== undefined && revokedAt === undefined && okCalls >= after) {
        mock.revokeTokens(account.clientId);
        revokedAt = preciseNow() - startedAt;
      }
      const rotateAfter = scenario.rotateSecretAfterResourceCalls;
      if (rotateAfter !== undefined && !rotated && okCalls >= rotateAfter) {
        rotated = true;
        const newSecret = mock.rotateSecret(account.clientId);
        redactor.addCredentials(account.clientId, newSecret);
        extraSecrets.push(newSecret);
        mock.revokeTokens(account.clientId);
        revokedAt = preciseNow() - startedAt;
      }
    },
    tamper: (res, req) => {
      // Revoked before it is written: the program never holds a token the resource accepts.
      if (
        scenario.refuseFirstToken &&
        revokedAt === undefined &&
        req.path === TOKEN_PATH &&
        res.status === 200
      ) {
        mock.revokeTokens(account.clientId);
        revokedAt = preciseNow() - startedAt;
      }
      return scriptResponse(scenario, res, req.path);
    },
  });
  let closed = false;
  const closeMock = async () => {
    if (closed) return;
    closed = true;
    await mock.close();
  };
  try {
    for (const fault of scenario.faults ?? []) mock.injectFault(fault);
    const env: Record<string, string> = {
      OAUTH_BASE_URL: mock.url,
      OAUTH_TOKEN_URL: `${mock.url}${TOKEN_PATH}`,
      OAUTH_REVOKE_URL: `${mock.url}${REVOKE_PATH}`,
      RESOURCE_URL: `${mock.url}${PROBE_PATH}`,
      MONGODB_ATLAS_CLIENT_ID: account.clientId,
      MONGODB_ATLAS_CLIENT_SECRET: clientSecret,
      CALLS: String(scenario.env.CALLS),
      CALL_INTERVAL_MS: String(scenario.env.CALL_INTERVAL_MS),
      REVOKE_AT_END: String(scenario.env.REVOKE_AT_END),
      // Loopback only: a proxy from the caller's environment must not see the credentials.
      NO_PROXY: '127.0.0.1,localhost,::1',
      no_proxy: '127.0.0.1,localhost,::1',
    };
    const [command = '', ...args] = programCommand;
    let exitedAt: number | undefined;
    const program = await runProgram({
      command,
      args,
      env,
      timeoutMs: options.timeoutMs,
      signal,
      onStart: () => {
        startedAt = preciseNow();
      },
      onExit: () => {
        exitedAt ??= preciseNow() - startedAt;
      },
    });
    exitedAt ??= preciseNow() - startedAt;
    if (program.spawnError)
      throw new ConformanceError('USAGE', `cannot start "${command}": ${program.spawnError}`);
    // Requests still unanswered are reported as the mock closes their connections.
    await closeMock();
    for (const token of observer.issuedTokens()) redactor.add(token);
    const run: ScenarioRun = {
      scenario,
      requests: observer.requests(exitedAt),
      program: {
        ...program,
        // Redacted whole, then clipped: a secret across the cut goes whole.
        stdout: redactor.redact(program.stdout).slice(-OUTPUT_SHOWN_CHARS),
        stderr: redactor.redact(program.stderr).slice(-OUTPUT_SHOWN_CHARS),
      },
      timeoutMs: options.timeoutMs,
      ...(revokedAt === undefined ? {} : { revokedAt }),
    };
    return {
      run,
      secrets: [clientSecret, ...extraSecrets, ...observer.issuedTokens()],
    };
  } finally {
    await closeMock();
  }
}

/** "Retry-After 4 (long, drawn from the seed)": what a scenario drew from the seed. */
function drawnLine(scenario: ScriptedScenario): string | undefined {
  const drawn = scenario.retryAfter;
  if (!drawn) return undefined;
  return `Retry-After ${drawn.format === 'http-date' ? `an HTTP-date at least ${drawn.seconds} s ahead` : `${drawn.seconds}`} (${drawn.length}, drawn from the seed)`;
}

function outputLines(text: string): string[] {
  return text
    .trimEnd()
    .split(/\r?\n/)
    .map((line) => `  | ${visible(line)}`);
}

function details(run: ScenarioRun, requirement: ClientRequirement, reason: string): string {
  const { program } = run;
  return [
    `${requirement.id} [${run.scenario.name}]: ${reason}`,
    `requirement: ${requirement.statement}`,
    `source: ${sourceLine(requirement)}`,
    ...(requirement.note ? [`note: ${requirement.note}`] : []),
    `scenario: ${run.scenario.title}`,
    ...(run.scenario.retryAfter ? [`scenario drew: ${drawnLine(run.scenario)}`] : []),
    ...(run.scenario.condition
      ? [
          `scenario's condition (${run.scenario.condition.level}): ${sourceLine(run.scenario.condition)}`,
        ]
      : []),
    `program: ${describeExit(program, run.timeoutMs)} after ${(program.durationMs / 1000).toFixed(1)} s`,
    'requests, in the order the program sent them, each with when its answer reached it:',
    // Timeline lines quote what the program sent (a grant_type holding a line break): shown.
    ...(run.requests.length
      ? timeline(run.requests).map((line) => `  ${visible(line)}`)
      : ['  (none)']),
    // The program's own lines, each behind a prefix and with control characters shown: it cannot
    // start a line of the report (a CI directive) nor move a terminal's cursor.
    ...(program.stderr.trim() ? ['stderr (end):', ...outputLines(program.stderr)] : []),
    ...(program.stdout.trim() ? ['stdout (end):', ...outputLines(program.stdout)] : []),
  ].join('\n');
}

function recordsOf(
  run: ScenarioRun,
  requirements: ClientRequirement[],
  strict: boolean,
  program?: string,
): TestcaseRecord[] {
  return requirements.map((requirement) => {
    const judge = JUDGEMENTS[requirement.judge];
    if (!judge) throw new Error(`no judgement ${requirement.judge}`);
    const judged = judge(run);
    // A reason may quote what the program sent (a grant_type, a media type): one visible line.
    const verdict = judged.ok ? judged : { ...judged, reason: oneLine(judged.reason) };
    const base = {
      name: `${requirement.id} [${program ? `${program}: ` : ''}${run.scenario.name}]`,
      area: program ?? run.scenario.name,
      requirement: requirement.id,
      level: requirement.level,
      source: sourceLine(requirement),
      trigger: run.scenario.name === 'normal' ? 'request' : 'fault',
      durationMs: 0,
    } as const;
    if (verdict.ok)
      return { ...base, notes: verdict.note ? [verdict.note] : [], outcome: 'passed' };
    if (verdict.inconclusive)
      return { ...base, notes: [], outcome: 'skipped', reason: verdict.reason };
    // The same severity as the suite's: the level and --strict decide fail or warn.
    const outcome = decide(requirement.level, false, { strict });
    return {
      ...base,
      notes: requirement.note ? [requirement.note] : [],
      outcome,
      reason: verdict.reason,
      details: details(run, requirement, verdict.reason),
    };
  });
}

function counts(run: ScenarioRun): string {
  const count = (kind: ClientRequest['kind']) => {
    const of = run.requests.filter((r) => r.kind === kind);
    const unanswered = of.filter((r) => r.unanswered).length;
    return `${of.length} ${kind}${unanswered ? ` (${unanswered} unanswered)` : ''}`;
  };
  return `${count('token')}, ${count('resource')}, ${count('revoke')} requests`;
}

const PROGRAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The most programs one matrix run takes (each runs every scenario). */
export const MAX_PROGRAMS = 32;

/** The programs to run: `options.programs`, checked, or the one `options.command`. */
function checkPrograms(options: ClientHarnessOptions): ClientProgram[] {
  if (options.programs === undefined) {
    if (options.command.length === 0 || !options.command[0])
      throw new ConformanceError(
        'USAGE',
        'no program given: oauth-conformance client [...] -- <command> [args...]',
      );
    return [{ name: '', command: options.command }];
  }
  const { programs } = options;
  if (programs.length === 0 || programs.length > MAX_PROGRAMS)
    throw new ConformanceError('USAGE', `--programs: give 1 to ${MAX_PROGRAMS} programs`);
  const seen = new Set<string>();
  for (const program of programs) {
    if (!PROGRAM_NAME.test(program.name))
      throw new ConformanceError(
        'USAGE',
        `--programs: a program's name is 1 to 64 letters, digits, ".", "_" or "-", not "${oneLine(program.name).slice(0, 80)}"`,
      );
    if (seen.has(program.name))
      throw new ConformanceError('USAGE', `--programs: "${program.name}" is named twice`);
    seen.add(program.name);
    if (program.command.length === 0 || !program.command[0])
      throw new ConformanceError('USAGE', `--programs: "${program.name}" has no command`);
  }
  return programs;
}

/**
 * Runs a client program once per scenario against a fresh reference mock, judges what it sent
 * (specs/client-requirements.json; the severity of a miss is decide()'s, as for the suite, with
 * `options.strict`) and writes junit.xml, result.json and index.html to `options.reportsDir`.
 *
 * @param options - the command, the scenarios (default all), the time limit of one run
 *   (`timeoutMs`, milliseconds), the seed, --strict.
 * @param io - where progress lines go (redacted).
 * @returns the exit status (0 conforming, 1 a judgement failed, an errored testcase or a leak,
 *   130 interrupted), the report and each scenario's run.
 * @throws ConformanceError USAGE for no program, an unknown scenario or an unusable reports
 *   directory (before the program runs).
 */
export async function runClientHarness(
  options: ClientHarnessOptions,
  io: { out: (line: string) => void },
): Promise<ClientHarnessResult> {
  const programs = checkPrograms(options);
  const matrix = options.programs !== undefined;
  // Checked before the program runs: a run whose reports cannot be written is not started.
  const reportsDir = prepareReportsDir(options.reportsDir);
  const catalog = getClientCatalog();
  const scripted = scriptScenarios(catalog, options.seed);
  const scenarios = selectScenarios(options.scenarios).map(
    (selected) => scripted.find((s) => s.name === selected.name) as ScriptedScenario,
  );
  const accounts = generateAccounts(options.seed);
  const redactor = createAccountsRedactor(accounts);
  useRedactor((text) => redactor.redact(text));
  const target = matrix
    ? `${programs.length} programs: ${programs.map((p) => p.name).join(', ')}`
    : options.command.join(' ');
  io.out('oauth-conformance client');
  io.out(`  ${matrix ? 'programs' : 'program '}   ${redactor.redact(target)}`);
  io.out(`  scenarios  ${scenarios.map((scenario) => scenario.name).join(', ')}`);
  io.out(`  time limit ${options.timeoutMs / 1000} s per run; seed ${options.seed}`);
  const startedAt = new Date();
  const started = performance.now();
  const runs: ScenarioRun[] = [];
  const records: TestcaseRecord[] = [];
  const secrets: string[] = [];
  const crashes: string[] = [];
  // Ctrl-C or SIGTERM: stop the program, judge nothing more, keep the reports of what ran.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    io.out(`\n${signal}: stopping the program; the reports keep the scenarios that finished`);
    interrupt.abort(signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const [p, program] of programs.entries()) {
      if (interrupt.signal.aborted) break;
      if (matrix) {
        io.out('');
        io.out(
          `program ${program.name} (${p + 1} of ${programs.length}): ${redactor.redact(program.command.join(' '))}`,
        );
      }
      for (const scenario of scenarios) {
        io.out('');
        io.out(`scenario ${scenario.name}: ${scenario.title}`);
        const drawn = drawnLine(scenario);
        if (drawn) io.out(`  ${drawn}`);
        const outcome = await runScenario(
          scenario,
          program.command,
          options,
          accounts.primary,
          redactor,
          interrupt.signal,
        );
        if (interrupt.signal.aborted) {
          crashes.push(
            `interrupted by ${String(interrupt.signal.reason)} during scenario ${scenario.name}${matrix ? ` of ${program.name}` : ''}, after ${runs.length} of ${scenarios.length * programs.length} scenarios`,
          );
          break;
        }
        runs.push(outcome.run);
        secrets.push(...outcome.secrets);
        const result = outcome.run.program;
        io.out(
          redactor.redact(
            `  the program ${describeExit(result, options.timeoutMs)} after ${(result.durationMs / 1000).toFixed(1)} s; ${counts(outcome.run)}`,
          ),
        );
        const scenarioRecords = recordsOf(
          outcome.run,
          requirementsFor(catalog, scenario.name),
          options.strict ?? false,
          matrix ? program.name : undefined,
        );
        for (const record of scenarioRecords) printTestcase(record, io.out, redactor);
        records.push(...scenarioRecords);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const all = runs.flatMap((run) => run.requests);
  const report: RunReport = {
    tool: { name: 'oauth-conformance', version: TOOL_VERSION },
    target: redactor.redact(target),
    targetKind: 'client-program',
    profile: 'atlas',
    seed: options.seed,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    plan: { token: 0, revoke: 0, leastWallMs: 0 },
    spent: {
      token: all.filter((r) => r.kind === 'token').length,
      revoke: all.filter((r) => r.kind === 'revoke').length,
      unplanned429s: 0,
    },
    allowances: [],
    crashes,
    testcases: records,
    ...(matrix ? { programs: programs.map((p) => p.name) } : {}),
  };
  for (const secret of secrets) redactor.add(secret);
  const { leaks } = finishReports(
    report,
    reportsDir,
    redactor,
    [...accountSecrets(accounts), ...secrets],
    io.out,
  );
  const { failed, errored } = countOutcomes(records);
  const exitCode = interrupt.signal.aborted
    ? EXIT_INTERRUPTED
    : failed > 0 || errored > 0 || leaks.length > 0
      ? EXIT_FAILED
      : EXIT_PASSED;
  return { exitCode, report, runs };
}
