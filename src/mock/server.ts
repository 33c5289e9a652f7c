/** The HTTP plumbing: one request listener that routes, applies flags and tamper, and journals. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { MockContext } from './context.ts';
import { faultResponse, handleFaultHook } from './fault-hook.ts';
import { FAULT_HOOK_PATH, type PendingFault } from './faults.ts';
import { applyFlags, readBody, responseFlags, writeResponse } from './http-io.ts';
import type { Journal } from './journal.ts';
import { handleProbe, PROBE_PATH } from './probe.ts';
import { notFound, oauthError } from './responses.ts';
import { handleRevokeRequest, REVOKE_PATH } from './revoke-endpoint.ts';
import { handleTokenRequest, TOKEN_PATH } from './token-endpoint.ts';
import type { MockOptions, MockRequestInfo, MockResponse } from './types.ts';

export interface ListenerOptions {
  faultHook: boolean;
  tamper: MockOptions['tamper'];
  rewrite: MockOptions['rewrite'];
  observe: MockOptions['observe'];
  journal: Journal;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function route(
  ctx: MockContext,
  req: MockRequestInfo,
  bodyTooLarge: boolean,
  fault: PendingFault | undefined,
): MockResponse {
  if (fault?.status !== undefined)
    return faultResponse(ctx, { ...fault, status: fault.status }, req.path);
  if (req.path === TOKEN_PATH) return handleTokenRequest(ctx, req, bodyTooLarge);
  if (req.path === REVOKE_PATH) return handleRevokeRequest(ctx, req, bodyTooLarge);
  if (req.path === PROBE_PATH) return handleProbe(ctx, req);
  return notFound(ctx.identity, req.path);
}

export function createRequestListener(ctx: MockContext, options: ListenerOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const receivedAt = Date.now();
    const time = new Date(receivedAt).toISOString();
    try {
      const url = new URL(req.url ?? '/', 'http://mock.invalid');
      const body = await readBody(req);
      const info: MockRequestInfo = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: flattenHeaders(req),
        body: body.text,
        remoteAddress: req.socket.remoteAddress ?? '',
      };
      const flags = responseFlags(url.searchParams);

      if (options.faultHook && info.path === FAULT_HOOK_PATH) {
        writeResponse(res, applyFlags(handleFaultHook(ctx, info), flags));
        return;
      }

      // The journal keeps what the client sent; the contract sees the rewritten request.
      const handled = options.rewrite ? options.rewrite(info) : info;
      const fault = ctx.faults.take(handled.path);
      if (fault && fault.delayMs > 0) await delay(fault.delayMs);
      let response = applyFlags(route(ctx, handled, body.tooLarge, fault), flags);
      if (options.tamper) response = options.tamper(response, handled);
      writeResponse(res, response);
      options.observe?.({ request: info, response, receivedAt, sentAt: Date.now() });
      options.journal.record({
        time,
        method: info.method,
        path: info.path,
        query: url.search.slice(1),
        headers: info.headers,
        body: info.body,
        status: response.status,
        remoteAddress: info.remoteAddress,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      });
    } catch {
      // A failing tamper hook, or a client that went away: answer 500 if still possible.
      if (res.headersSent || res.destroyed || req.destroyed) {
        res.destroy();
        return;
      }
      writeResponse(res, oauthError(ctx.identity, 'server_error'));
    }
  };
}
