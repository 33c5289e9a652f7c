/**
 * Injected faults (docs/fault-hook.md): validation and the queue of pending faults. The hook has no
 * authentication, so everything in a spec is bounded: the queue's length, each fault's count, its
 * path's length, its delay and its Retry-After.
 */

import type { FaultSpec, RetryAfterFormat } from '../shared/types.ts';

export const FAULT_HOOK_PATH = '/__conformance/faults';

/** A pending fault, defaults filled; `count` is what is left. */
export type PendingFault = Required<Omit<FaultSpec, 'status' | 'reset' | 'tokenLifetimeSeconds'>> &
  Pick<FaultSpec, 'status' | 'reset' | 'tokenLifetimeSeconds'>;

const FIELDS = new Set([
  'path',
  'status',
  'retryAfterSeconds',
  'retryAfterFormat',
  'count',
  'delayMs',
  'reset',
  'tokenLifetimeSeconds',
]);
const FORMATS: readonly RetryAfterFormat[] = ['delta-seconds', 'http-date'];
const STATUSES = new Set([429, 500, 503]);
export const MAX_FAULT_DELAY_MS = 60_000;
/** Faults pending at once; a spec that finds the queue full is refused. */
export const MAX_PENDING_FAULTS = 100;
/** Requests one fault answers at most. */
export const MAX_FAULT_COUNT = 100;
/** Longest `Retry-After` a fault sends (one hour; the live limit's window is a minute). */
export const MAX_FAULT_RETRY_AFTER_SECONDS = 3600;
/** Longest path a fault names, in characters. */
export const MAX_FAULT_PATH_LENGTH = 1024;
/** Longest lifetime a fault gives a token, in seconds (the documented hour). */
export const MAX_FAULT_TOKEN_LIFETIME_SECONDS = 3600;

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** The spec with defaults filled, or a message saying what is wrong with it. */
export function parseFault(value: unknown): PendingFault | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'the body must be a JSON object: {"path": "/api/oauth/token", "status": 429 | 500 | 503}';
  }
  const spec = value as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!FIELDS.has(key)) return `unknown field "${key}" (allowed: ${[...FIELDS].join(', ')})`;
  }
  const {
    path,
    status,
    retryAfterSeconds = 1,
    retryAfterFormat = 'delta-seconds',
    count = 1,
    delayMs = 0,
    reset,
    tokenLifetimeSeconds,
  } = spec;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    return '"path" must be a string starting with "/"';
  }
  if (path.length > MAX_FAULT_PATH_LENGTH) {
    return `"path" must be at most ${MAX_FAULT_PATH_LENGTH} characters long`;
  }
  if (status !== undefined && !STATUSES.has(status as number)) {
    return '"status" must be 429, 500 or 503';
  }
  if (
    !isInteger(retryAfterSeconds) ||
    retryAfterSeconds < 0 ||
    retryAfterSeconds > MAX_FAULT_RETRY_AFTER_SECONDS
  ) {
    return `"retryAfterSeconds" must be an integer from 0 to ${MAX_FAULT_RETRY_AFTER_SECONDS}`;
  }
  if (!isInteger(count) || count < 1 || count > MAX_FAULT_COUNT) {
    return `"count" must be an integer from 1 to ${MAX_FAULT_COUNT}`;
  }
  if (!FORMATS.includes(retryAfterFormat as RetryAfterFormat))
    return `"retryAfterFormat" must be ${FORMATS.map((f) => `"${f}"`).join(' or ')}`;
  if (!isInteger(delayMs) || delayMs < 0 || delayMs > MAX_FAULT_DELAY_MS) {
    return `"delayMs" must be an integer from 0 to ${MAX_FAULT_DELAY_MS}`;
  }
  if (reset !== undefined && reset !== true) return '"reset" must be true when given';
  if (reset && status !== undefined) return '"reset" and "status" exclude each other';
  if (
    tokenLifetimeSeconds !== undefined &&
    (!isInteger(tokenLifetimeSeconds) ||
      tokenLifetimeSeconds < 1 ||
      tokenLifetimeSeconds > MAX_FAULT_TOKEN_LIFETIME_SECONDS)
  ) {
    return `"tokenLifetimeSeconds" must be an integer from 1 to ${MAX_FAULT_TOKEN_LIFETIME_SECONDS}`;
  }
  if (tokenLifetimeSeconds !== undefined && (status !== undefined || reset))
    return '"tokenLifetimeSeconds" excludes "status" and "reset" (the request must get its token)';
  if (status === undefined && delayMs === 0 && !reset && tokenLifetimeSeconds === undefined)
    return 'give a "status", a "delayMs", or both (or "reset", or "tokenLifetimeSeconds")';
  return {
    path,
    ...(status === undefined ? {} : { status: status as PendingFault['status'] }),
    retryAfterSeconds,
    retryAfterFormat: retryAfterFormat as RetryAfterFormat,
    count,
    delayMs,
    ...(reset ? { reset: true as const } : {}),
    ...(tokenLifetimeSeconds === undefined
      ? {}
      : { tokenLifetimeSeconds: tokenLifetimeSeconds as number }),
  };
}

/** Why {@link FaultQueue.add} refused a fault. */
export const QUEUE_FULL = `${MAX_PENDING_FAULTS} faults are pending, the most the hook keeps; DELETE ${FAULT_HOOK_PATH} drops them`;

export interface FaultQueue {
  /** Queues a fault; `false` (and nothing queued) when {@link MAX_PENDING_FAULTS} are pending. */
  add(fault: PendingFault): boolean;
  clear(): void;
  /** The pending faults, oldest first (copies). */
  list(): PendingFault[];
  /** Takes one use of the oldest pending fault for this path (removed when its count reaches zero). */
  take(path: string): PendingFault | undefined;
}

export function createFaultQueue(): FaultQueue {
  let faults: PendingFault[] = [];
  return {
    add: (fault) => {
      if (faults.length >= MAX_PENDING_FAULTS) return false;
      faults.push({ ...fault });
      return true;
    },
    clear: () => {
      faults = [];
    },
    list: () => faults.map((fault) => ({ ...fault })),
    take(path) {
      const index = faults.findIndex((fault) => fault.path === path);
      const fault = faults[index];
      if (!fault) return undefined;
      fault.count -= 1;
      if (fault.count <= 0) faults.splice(index, 1);
      return { ...fault };
    },
  };
}
