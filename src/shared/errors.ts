/**
 * Errors of our own carry a stable `code`; the CLI maps codes to exit statuses in one table.
 */

export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_INVALID'
  | 'CREDENTIALS_MISSING'
  | 'TARGET_INVALID'
  | 'TARGET_UNREACHABLE'
  | 'SUITE_CRASHED'
  | 'SECRET_LEAKED'
  | 'CASE_SETUP'
  | 'CONFORMANCE_FAILURE';

/** How a target failed before any testcase could run (a TARGET_UNREACHABLE error). */
export type TargetFailureKind =
  | 'unreachable'
  | 'reset'
  | 'not-http'
  | 'tls'
  | 'timeout'
  | 'container';

export class ConformanceError extends Error {
  readonly code: ErrorCode;
  /** For TARGET_UNREACHABLE: which way the target failed. */
  readonly kind?: TargetFailureKind;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; kind?: TargetFailureKind },
  ) {
    super(message, options);
    this.name = 'ConformanceError';
    this.code = code;
    if (options?.kind) this.kind = options.kind;
  }
}

/** Exit statuses: 0 conforming, 1 conformance failures, 2 usage or configuration, 3 target. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  CONFIG_UNREADABLE: 2,
  CONFIG_INVALID: 2,
  CREDENTIALS_MISSING: 2,
  TARGET_INVALID: 2,
  TARGET_UNREACHABLE: 3,
  SUITE_CRASHED: 1,
  SECRET_LEAKED: 1,
  // Inside a run: a case the run could not set up (its testcases are skipped with the reason),
  // and a finding that fails the run; the run's exit status counts them (1 on any failure).
  CASE_SETUP: 1,
  CONFORMANCE_FAILURE: 1,
};

/**
 * A case the run cannot bring about (no such account configured, no value for a placeholder):
 * its testcases are skipped with this message as the reason, never failed.
 */
export class CaseSetupError extends ConformanceError {
  constructor(message: string) {
    super('CASE_SETUP', message);
    this.name = 'CaseSetupError';
  }
}

/** Thrown for a finding that fails the run; its message is the whole story, so no stack. */
export class ConformanceFailure extends ConformanceError {
  constructor(message: string) {
    super('CONFORMANCE_FAILURE', message);
    this.name = 'ConformanceFailure';
    this.stack = `${this.name}: ${message}`;
  }
}

export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
/** Stopped by SIGINT or SIGTERM (128 + 2, as a shell reports Ctrl-C). */
export const EXIT_INTERRUPTED = 130;
