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
  | 'ENVIRONMENT'
  | 'DEPENDENCY_MISSING'
  | 'INTERNAL'
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

/**
 * Exit statuses: 0 conforming, 1 conformance failures, 2 usage or configuration, 3 target,
 * 4 this machine (a reports directory that cannot be written, a full disk, a missing optional
 * dependency), 5 a bug in this tool. The tool's own troubles never share 1 with the target's.
 */
export const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  CONFIG_UNREADABLE: 2,
  CONFIG_INVALID: 2,
  CREDENTIALS_MISSING: 2,
  TARGET_INVALID: 2,
  TARGET_UNREACHABLE: 3,
  SUITE_CRASHED: 1,
  SECRET_LEAKED: 1,
  ENVIRONMENT: 4,
  DEPENDENCY_MISSING: 4,
  INTERNAL: 5,
  // Inside a run: a case the run could not set up (its testcases are skipped with the reason),
  // and a finding that fails the run; the run's exit status counts them (1 on any failure).
  CASE_SETUP: 1,
  CONFORMANCE_FAILURE: 1,
};

/** Error codes of the operating system that mean this machine, not the target or the user. */
const ENVIRONMENT_ERRNOS = new Set([
  'ENOSPC',
  'EDQUOT',
  'EACCES',
  'EPERM',
  'EROFS',
  'EIO',
  'EMFILE',
  'ENFILE',
]);

/**
 * `error` as this tool's own: a ConformanceError as it is, an operating-system error of this
 * machine (full disk, no permission, read-only file system) as ENVIRONMENT, anything else as
 * INTERNAL (a bug: exit 5, never 1, which says the target does not conform).
 */
export function classifyError(error: unknown): ConformanceError {
  if (error instanceof ConformanceError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof errno === 'string' && ENVIRONMENT_ERRNOS.has(errno))
    return new ConformanceError('ENVIRONMENT', `this machine refused: ${message}`, {
      cause: error,
    });
  return new ConformanceError('INTERNAL', `internal error: ${message}`, { cause: error });
}

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
