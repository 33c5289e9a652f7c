/**
 * What a run produced, as plain data: one record per testcase, built from vitest's events. The
 * terminal, JUnit, JSON and HTML reporters all consume these records; none of them reads vitest.
 */
import type { Reporter, SerializedError, TestCase, TestModule } from 'vitest/node';
import type { Level } from '../types.ts';

/**
 * `errored`: the suite itself broke while judging (a check threw): a JUnit error, never a
 * finding about the target, whatever the requirement's level.
 */
export type Outcome = 'passed' | 'failed' | 'warned' | 'skipped' | 'drift' | 'allowed' | 'errored';

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

function annotations(testCase: TestCase, type: string): string[] {
  return testCase
    .annotations()
    .filter((entry) => entry.type === type)
    .map((entry) => entry.message);
}

function areaOf(moduleId: string): string {
  return /([^/]+)\.test\.ts$/.exec(moduleId)?.[1] ?? moduleId;
}

/** The record of one finished testcase. */
export function recordOf(testCase: TestCase): TestcaseRecord {
  const result = testCase.result();
  const first = (type: string) => annotations(testCase, type)[0];
  const base = {
    name: testCase.name,
    area: areaOf(testCase.module.moduleId),
    requirement: first('requirement') ?? testCase.name.split(' [', 1)[0] ?? testCase.name,
    // The last: a defined refusal may lower the level the testcase is judged at (suite.ts).
    level: (annotations(testCase, 'level').at(-1) ?? 'documented') as Level,
    source: first('source') ?? '',
    trigger: first('trigger') ?? '',
    notes: annotations(testCase, 'note'),
    durationMs: Math.round(testCase.diagnostic()?.duration ?? 0),
  };
  if (result.state === 'failed') {
    const error = result.errors?.[0];
    const message = error?.message ?? 'failed';
    // Only a ConformanceFailure is a finding; anything else thrown is the suite's own error.
    if (error?.name !== 'ConformanceFailure') {
      const reason = `suite error while judging: ${(message.split('\n', 1)[0] ?? '').slice(0, 300)}`;
      return { ...base, outcome: 'errored', reason, details: error?.stack ?? message };
    }
    const reason = (message.split('\n', 1)[0] ?? '').replace(`${testCase.name}: `, '');
    return { ...base, outcome: 'failed', reason, details: message };
  }
  if (result.state === 'skipped') {
    return { ...base, outcome: 'skipped', reason: first('skipped') ?? result.note ?? 'skipped' };
  }
  const allowed = first('allowed');
  if (allowed)
    return {
      ...base,
      outcome: 'allowed',
      reason: allowed,
      ...(first('details') ? { details: first('details') } : {}),
    };
  const drift = first('drift');
  if (drift) return { ...base, outcome: 'drift', reason: drift };
  const warning = first('warning');
  if (warning) return { ...base, outcome: 'warned', reason: warning };
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
