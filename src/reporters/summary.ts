/**
 * The terminal reporter: a line per testcase as it ends, then the totals, the skip reasons and the
 * seed. It also keeps the tally the CLI turns into an exit code. Every line is redacted.
 */
import type { Reporter, SerializedError, TestCase, TestModule } from 'vitest/node';
import type { Redactor } from '../redact.ts';

export interface Tally {
  passed: number;
  failed: number;
  warned: number;
  skipped: number;
  /** Skip reasons with how many testcases each skipped. */
  skipReasons: Map<string, number>;
  /** Errors outside any testcase (a suite that would not load): the run cannot be trusted. */
  crashes: string[];
}

export function emptyTally(): Tally {
  return { passed: 0, failed: 0, warned: 0, skipped: 0, skipReasons: new Map(), crashes: [] };
}

function annotation(testCase: TestCase, type: string): string | undefined {
  return testCase.annotations().find((entry) => entry.type === type)?.message;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

export class SummaryReporter implements Reporter {
  constructor(
    private readonly tally: Tally,
    private readonly write: (line: string) => void,
    private readonly redactor: Redactor,
  ) {}

  private print(line: string): void {
    this.write(this.redactor.redact(line));
  }

  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result();
    if (result.state === 'passed') {
      const warning = annotation(testCase, 'warning');
      if (warning) {
        this.tally.warned += 1;
        this.print(`  ! ${testCase.name}: ${warning}`);
      } else {
        this.tally.passed += 1;
        this.print(`  ✓ ${testCase.name}`);
      }
    } else if (result.state === 'failed') {
      this.tally.failed += 1;
      const message = result.errors?.[0]?.message ?? 'failed';
      // The message starts with the test name; print its reason once.
      const reason = firstLine(message).replace(`${testCase.name}: `, '');
      this.print(`  ✗ ${testCase.name}: ${reason}`);
    } else if (result.state === 'skipped') {
      this.tally.skipped += 1;
      const reason = annotation(testCase, 'skipped') ?? result.note ?? 'skipped';
      this.tally.skipReasons.set(reason, (this.tally.skipReasons.get(reason) ?? 0) + 1);
      this.print(`  - ${testCase.name}: skipped`);
    }
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    for (const module of testModules) {
      for (const error of module.errors())
        this.tally.crashes.push(`${module.moduleId}: ${error.message}`);
    }
    for (const error of unhandledErrors) this.tally.crashes.push(error.message ?? String(error));
    for (const crash of this.tally.crashes) this.print(`  ✗ suite error: ${firstLine(crash)}`);
  }
}
