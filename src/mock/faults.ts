/** Injected faults (docs/fault-hook.md): validation and the queue of pending faults. */

import type { FaultSpec, RetryAfterFormat } from '../types.ts';

export const FAULT_HOOK_PATH = '/__conformance/faults';

/** A pending fault, defaults filled; `count` is what is left. */
export type PendingFault = Required<Omit<FaultSpec, 'status'>> & Pick<FaultSpec, 'status'>;

const FIELDS = new Set([
  'path',
  'status',
  'retryAfterSeconds',
  'retryAfterFormat',
  'count',
  'delayMs',
]);
const FORMATS: readonly RetryAfterFormat[] = ['delta-seconds', 'http-date'];
const STATUSES = new Set([429, 500, 503]);
export const MAX_FAULT_DELAY_MS = 60_000;

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
  } = spec;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    return '"path" must be a string starting with "/"';
  }
  if (status !== undefined && !STATUSES.has(status as number)) {
    return '"status" must be 429, 500 or 503';
  }
  if (!isInteger(retryAfterSeconds)) return '"retryAfterSeconds" must be an integer';
  if (retryAfterSeconds < 0) return '"retryAfterSeconds" must not be negative';
  if (!FORMATS.includes(retryAfterFormat as RetryAfterFormat))
    return `"retryAfterFormat" must be ${FORMATS.map((f) => `"${f}"`).join(' or ')}`;
  if (!isInteger(count) || count < 1) return '"count" must be a positive integer';
  if (!isInteger(delayMs) || delayMs < 0 || delayMs > MAX_FAULT_DELAY_MS) {
    return `"delayMs" must be an integer from 0 to ${MAX_FAULT_DELAY_MS}`;
  }
  if (status === undefined && delayMs === 0) return 'give a "status", a "delayMs", or both';
  return {
    path,
    ...(status === undefined ? {} : { status: status as PendingFault['status'] }),
    retryAfterSeconds,
    retryAfterFormat: retryAfterFormat as RetryAfterFormat,
    count,
    delayMs,
  };
}

export interface FaultQueue {
  add(fault: PendingFault): void;
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
      faults.push({ ...fault });
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
