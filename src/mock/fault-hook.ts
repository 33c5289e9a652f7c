/** The fault-injection hook's own endpoint, and the responses of injected faults. */

import type { RetryAfterFormat } from '../shared/types.ts';
import type { MockContext } from './context.ts';
import { FAULT_HOOK_PATH, type PendingFault, parseFault, QUEUE_FULL } from './faults.ts';
import { rateLimitDescription } from './rate-limit.ts';
import { apiError, oauthError } from './responses.ts';
import { REVOKE_PATH } from './revoke-endpoint.ts';
import { TOKEN_PATH } from './token-endpoint.ts';
import type { MockRequestInfo, MockResponse } from './types.ts';

function hookResponse(status: number, body?: unknown, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { Date: new Date().toUTCString() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  headers['Cache-Control'] = 'no-store';
  return { status, headers: { ...headers, ...extra }, body, pretty: false } satisfies MockResponse;
}

function hookError(status: number, description: string): MockResponse {
  return hookResponse(status, { error: 'invalid_fault', error_description: description });
}

/**
 * `POST` adds a fault (204; 400 for an invalid spec or a full queue), `DELETE` clears them (204),
 * `GET` lists the pending ones (200).
 */
export function handleFaultHook(ctx: MockContext, req: MockRequestInfo): MockResponse {
  if (req.method === 'GET') return hookResponse(200, ctx.faults.list());
  if (req.method === 'DELETE') {
    ctx.faults.clear();
    return hookResponse(204);
  }
  if (req.method === 'POST') {
    let value: unknown;
    try {
      value = JSON.parse(req.body);
    } catch {
      return hookError(400, 'the body is not JSON');
    }
    const fault = parseFault(value);
    if (typeof fault === 'string') return hookError(400, fault);
    if (!ctx.faults.add(fault)) return hookError(400, QUEUE_FULL);
    return hookResponse(204);
  }
  const res = hookError(405, `Method ${req.method} is not allowed on ${FAULT_HOOK_PATH}.`);
  res.headers.Allow = 'GET, POST, DELETE';
  return res;
}

/**
 * `Retry-After` in the fault's form (RFC 9110 §10.2.3): delta-seconds, or the IMF-fixdate of the
 * first whole second at least `seconds` after `now` (a date names whole seconds, so it is rounded
 * up: a client that waits until the date never waits less than `seconds`).
 */
export function retryAfterValue(
  seconds: number,
  format: RetryAfterFormat,
  now: number = Date.now(),
): string {
  if (format === 'delta-seconds') return String(seconds);
  return new Date(Math.ceil((now + seconds * 1000) / 1000) * 1000).toUTCString();
}

/**
 * The answer of an injected fault with a status, in the error shape of the path it hits: the
 * token and revocation endpoints' `{"error", "error_description"}`, or the Admin API's error
 * elsewhere. 429 and 503 carry `Retry-After`.
 */
export function faultResponse(
  ctx: MockContext,
  fault: PendingFault & { status: 429 | 500 | 503 },
  path: string,
): MockResponse {
  const { identity } = ctx;
  const retryAfter = retryAfterValue(fault.retryAfterSeconds, fault.retryAfterFormat);
  if (path === TOKEN_PATH || path === REVOKE_PATH) {
    if (fault.status === 429) {
      const limit = path === TOKEN_PATH ? ctx.rateLimit : ctx.revokeRateLimit;
      return oauthError(identity, 'rate_limited', rateLimitDescription(path, limit), {
        retryAfter,
      });
    }
    return fault.status === 500
      ? oauthError(identity, 'server_error')
      : oauthError(identity, 'temporarily_unavailable', undefined, { retryAfter });
  }
  if (fault.status === 429) {
    return apiError(identity, 429, 'RATE_LIMITED', `Resource ${path} is rate limited.`, {
      retryAfter,
    });
  }
  return fault.status === 500
    ? apiError(identity, 500, 'UNEXPECTED_ERROR', 'Unexpected error.')
    : apiError(identity, 503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable.', {
        retryAfter,
      });
}
