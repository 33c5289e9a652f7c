/**
 * What a run produced, as plain data: one record per testcase, built from vitest's events. The
 * terminal, JUnit, JSON and HTML reporters all consume these records; none of them reads vitest.
 */
import type { Reporter, SerializedError, TestCase, TestModule } from 'vitest/node';
import type { Level } from '../shared/types.ts';
import type { Outcome } from '../shared/verdict.ts';
import { readReport } from '../suite/channel.ts';

export type { Outcome } from '../shared/verdict.ts';

export interface TestcaseRecord {
  /** `<requirement id> [<case>]`, stable from run to run. */
  name: string;
  /** The suite it ran in (token, revoke, rate-limit). */
  area: string;
  requirement: string;
  level: Level;
  /** The first source: document, section and quote. */
  source: string;
  trigger: string;
  outcome: Outcome;
  /** One line: why it failed, warned, was skipped, passed as drift or was allowed. */
  reason?: string;
  /** A failure's whole story: expected, got, the requirement, the redacted exchange. */
  details?: string;
  notes: string[];
  durationMs: number;
}

/**
 * The area a suite file runs (`suites/<area>.test.ts`, or `.test.js` built): the testsuite's name
 * in the reports. Never the module's path: it would carry the runner's directories into every
 * report and change a testcase's identity with the checkout's place.
 */
export function areaOf(moduleId: string): string {
  const file = moduleId.split(/[\\/]/).at(-1) ?? moduleId;
  return /^(.+?)\.test\.[cm]?[jt]s$/.exec(file)?.[1] ?? file.replace(/\.[cm]?[jt]s$/, '');
}

/** The record of one finished testcase: what it reported on the channel (src/suite/channel.ts). */
export function recordOf(testCase: TestCase): TestcaseRecord {
  const result = testCase.result();
  const told = readReport(testCase.annotations());
  const base = {
    name: testCase.name,
    area: areaOf(testCase.module.moduleId),
    requirement: told.requirement ?? testCase.name.split(' [', 1)[0] ?? testCase.name,
    // The last: a defined refusal may lower the level the testcase is judged at (suite.ts).
    level: told.level ?? 'documented',
    source: told.source ?? '',
    trigger: told.trigger ?? '',
    notes: told.notes,
    durationMs: Math.round(testCase.diagnostic()?.duration ?? 0),
  };
  if (result.state === 'failed') {
    const error = result.errors?.[0];
    const message = error?.message ?? 'failed';
    // Only a ConformanceFailure is a finding; anything else thrown is the suite's own error.
    if (error?.name !== 'ConformanceFailure' || told.failed === undefined) {
      const reason = `suite error while judging: ${(message.split('\n', 1)[0] ?? '').slice(0, 300)}`;
      return { ...base, outcome: 'errored', reason, details: error?.stack ?? message };
    }
    return { ...base, outcome: 'failed', reason: told.failed, details: message };
  }
  if (result.state === 'skipped') {
    return { ...base, outcome: 'skipped', reason: told.skipped ?? result.note ?? 'skipped' };
  }
  if (told.allowed)
    return {
      ...base,
      outcome: 'allowed',
      reason: told.allowed.reason,
      details: told.allowed.details,
    };
  if (told.drift) return { ...base, outcome: 'drift', reason: told.drift };
  if (told.warning) return { ...base, outcome: 'warned', reason: told.warning };
  return { ...base, outcome: 'passed' };
}

/** Gathers a record per testcase as it ends, and the errors outside any testcase. */
export class CollectingReporter implements Reporter {
  readonly records: TestcaseRecord[] = [];
  /** Errors outside any testcase (a suite that would not load): the run cannot be trusted. */
  readonly crashes: string[] = [];

  constructor(private readonly onRecord: (record: TestcaseRecord) => void = () => {}) {}

  onTestCaseResult(testCase: TestCase): void {
    const record = recordOf(testCase);
    this.records.push(record);
    this.onRecord(record);
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    for (const module of testModules) {
      for (const error of module.errors())
        this.crashes.push(`${module.moduleId}: ${error.message}`);
    }
    for (const error of unhandledErrors) this.crashes.push(error.message ?? String(error));
  }
}

export function countOutcomes(records: readonly TestcaseRecord[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = {
    passed: 0,
    failed: 0,
    warned: 0,
    skipped: 0,
    drift: 0,
    allowed: 0,
    errored: 0,
  };
  for (const record of records) counts[record.outcome] += 1;
  return counts;
}
