/**
 * Waiting, in one place. Durations come from two kinds of source, and both are bounded:
 *
 * - the user (config file, flags): each has a stated maximum ({@link DURATION_LIMITS}), checked
 *   where configuration is read, so no duration can overflow Node's timers (which fire at once
 *   past 2^31 - 1 ms, turning a long wait into none);
 * - the target (Retry-After on a 429 or 503): never trusted. {@link boundTargetWait} holds every
 *   such wait to twice the endpoint's window and to what is left of the run, and a value past that
 *   bound is itself a finding, named with both numbers.
 */

/** Node's timers hold at most 2^31 - 1 ms; a longer delay fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The largest value each configurable duration takes, in seconds (and the largest rate-limit
 * window). Chosen so that twice any of them, in ms, stays far below {@link MAX_TIMER_MS}.
 */
export const DURATION_LIMITS = {
  /** One request's timeout (`timeoutSeconds`, the client harness's `--timeout`). */
  timeoutSeconds: 3600,
  /** The whole run (`deadlineSeconds`): a week. */
  deadlineSeconds: 7 * 24 * 3600,
  /** A revoked token's grace at the probe (`revocationWaitSeconds`). */
  revocationWaitSeconds: 600,
  /** A rate-limit window (`rateLimit.windowSeconds`, `--rate-limit N/SECONDS`): a day. */
  windowSeconds: 24 * 3600,
  /** A container's time to answer HTTP (`container.startupTimeoutSeconds`). */
  startupTimeoutSeconds: 600,
  /** A token's lifetime (`tokenLifetimeSeconds`, `--token-lifetime`): a year. */
  tokenLifetimeSeconds: 366 * 24 * 3600,
} as const;

/** Waits `ms` (clamped to 0 … {@link MAX_TIMER_MS}), so no caller's arithmetic can overflow a timer. */
export function sleep(ms: number): Promise<void> {
  const clamped = Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_TIMER_MS) : 0;
  return new Promise((resolve) => setTimeout(resolve, clamped));
}

/** What a target-set wait comes to once bounded. */
export interface BoundedWait {
  /** How long to wait, in ms (0 when the wait is not made). */
  ms: number;
  /** Set when the target asked for more than the bound: the finding, in words, with both numbers. */
  finding?: string;
  /** Set when what the bound allows would pass the run's deadline: the wait is not made. */
  pastDeadline?: string;
}

/** Default bound when an endpoint's window is unknown: twice a minute, the live service's window. */
const UNKNOWN_WINDOW_SECONDS = 60;

/**
 * Bounds a wait a target asked for (`seconds`, from Retry-After) by twice the endpoint's window
 * (`windowSeconds`; 60 s when unknown) and by what is left of the run before `deadlineAt` (epoch
 * ms). A request past the bound is reported as a finding and waited only up to the bound. The
 * wait is `seconds` of the target's rate-limit clock (`secondMs` ms each, 1000 but for the
 * embedded mock's faster clock).
 *
 * Source: RFC 9110 §10.2.3 defines Retry-After as delta-seconds or an HTTP-date and sets no
 * maximum; the bound is this suite's, from the limit the target documents.
 */
export function boundTargetWait(
  seconds: number,
  what: string,
  limits: {
    windowSeconds?: number | undefined;
    deadlineAt?: number | undefined;
    now?: number;
    /** How long one second of the target's rate-limit clock lasts, in ms (default 1000; see RunSettings.secondMs). */
    secondMs?: number;
    /** What must still fit after the wait and before `deadlineAt`, in ms (the request that follows it). Default 0. */
    afterMs?: number;
  },
): BoundedWait {
  const window = limits.windowSeconds ?? UNKNOWN_WINDOW_SECONDS;
  const boundSeconds = 2 * window;
  const wanted = Number.isFinite(seconds) ? Math.max(0, seconds) : Number.POSITIVE_INFINITY;
  const finding =
    wanted > boundSeconds
      ? `${what} ${wanted < 1e15 ? wanted : 'over 10^15'} s exceeds twice the ${window} s window${limits.windowSeconds === undefined ? ' (assumed: none is known)' : ''}`
      : undefined;
  const ms = Math.min(wanted, boundSeconds) * (limits.secondMs ?? 1000);
  const now = limits.now ?? Date.now();
  const afterMs = limits.afterMs ?? 0;
  if (limits.deadlineAt !== undefined && now + ms + afterMs > limits.deadlineAt) {
    const left = Math.max(0, Math.round((limits.deadlineAt - now) / 1000));
    const after =
      afterMs > 0 ? ` and the ${Math.round(afterMs / 1000)} s a request after it may take` : '';
    return {
      ms: 0,
      ...(finding ? { finding } : {}),
      pastDeadline: `not waited: ${Math.round(ms / 1000)} s${after} would pass the run's deadline (deadlineSeconds), ${left} s away`,
    };
  }
  return { ms, ...(finding ? { finding } : {}) };
}
