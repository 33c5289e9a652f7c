/** The HTTP plumbing: one request listener that routes, applies flags and tamper, and journals. */

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { MockContext } from './context.ts';
import { faultResponse, handleFaultHook } from './fault-hook.ts';
import { FAULT_HOOK_PATH, type PendingFault } from './faults.ts';
import { applyFlags, readBody, responseFlags, writeResponse } from './http-io.ts';
import type { Journal } from './journal.ts';
import { handleProbe, isProbePath } from './probe.ts';
import { notFound, oauthError } from './responses.ts';
import { handleRevokeRequest, REVOKE_PATH } from './revoke-endpoint.ts';
import { handleTokenRequest, TOKEN_PATH } from './token-endpoint.ts';
import type {
  MockOptions,
  MockRequestInfo,
  MockResponse,
  ObservedConnection,
  ObservedExchange,
} from './types.ts';

export interface ListenerOptions {
  faultHook: boolean;
  tamper: MockOptions['tamper'];
  rewrite: MockOptions['rewrite'];
  observe: MockOptions['observe'];
  /** Answers no sooner than this after arrival (ms). */
  latencyMs: number;
  journal: Journal;
}

/** Epoch milliseconds with sub-millisecond resolution, on the monotonic clock: the observer's times. */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

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
): MockResponse | Promise<MockResponse> {
  if (fault?.status !== undefined)
    return faultResponse(ctx, { ...fault, status: fault.status }, req.path);
  if (req.path === TOKEN_PATH)
    return handleTokenRequest(ctx, req, bodyTooLarge, fault?.tokenLifetimeSeconds);
  if (req.path === REVOKE_PATH) return handleRevokeRequest(ctx, req, bodyTooLarge);
  if (isProbePath(req.path)) return handleProbe(ctx, req);
  return notFound(ctx.identity, req.path);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A request target of plain characters: a path without `//` or dot segments, a query of form characters. */
const PLAIN_TARGET = /^\/(?:[A-Za-z0-9_~-]+\/?)*(?:\?[A-Za-z0-9_.~=&%+-]*)?$/;

/**
 * The path, query and raw query (with its `?`) of a request target, as `new URL` against a
 * dummy origin gives them; a plain target (every request the suite and load generators send) is
 * split without building a URL, which costs a measurable share of a request under load.
 */
export function requestTarget(target: string): {
  pathname: string;
  searchParams: URLSearchParams;
  search: string;
} {
  if (!PLAIN_TARGET.test(target)) return new URL(target, 'http://mock.invalid');
  const q = target.indexOf('?');
  const search = q < 0 || q === target.length - 1 ? '' : target.slice(q);
  return {
    pathname: q < 0 ? target : target.slice(0, q),
    searchParams: new URLSearchParams(search),
    search,
  };
}

/**
 * Waits `ms`, unless the client goes away first (the connection closes): then it rejects, and
 * nothing more is done for the request (a delayed token is not issued). Nothing is allocated for
 * a request that is not delayed (an AbortController per request costs a DOMException on every
 * close, measurable under load).
 */
function delayUnlessGone(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) {
      reject(new Error('the client went away'));
      return;
    }
    const onClose = () => {
      clearTimeout(timer);
      reject(new Error('the client went away'));
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve();
    }, ms);
    res.once('close', onClose);
  });
}

/**
 * For an observed mock: when each connection was accepted and how many requests it has carried,
 * and a wait that lets the event loop poll once more before an answer is written. A request the
 * program sent before an answer is then stamped before that answer is; and the first request on a
 * connection is known to have been decided no later than the moment its connection was accepted,
 * even when a busy program writes it much later.
 */
export function createConnectionLog(server: Server) {
  const connections = new WeakMap<Socket, { id: number; acceptedAt: number; requests: number }>();
  let next = 1;
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { id: next++, acceptedAt: preciseNow(), requests: 0 });
  });
  return {
    /** The connection a request arrived on; `sequence` 1 for its first request. */
    arrived(socket: Socket): ObservedConnection | undefined {
      const connection = connections.get(socket);
      if (!connection) return undefined;
      connection.requests += 1;
      return {
        id: connection.id,
        acceptedAt: connection.acceptedAt,
        sequence: connection.requests,
      };
    },
    /** Resolves after the event loop has polled for readable and new connections once more. */
    async settle(): Promise<void> {
      // The first turn ends the current phase; the second includes a poll.
      await nextTurn();
      await nextTurn();
    },
  };
}

export type ConnectionLog = ReturnType<typeof createConnectionLog>;

/**
 * Reports the exchange to the observer once its fate is known: the response handed to the
 * connection (`finish`), or the connection closed before that (`close` without `finish`). The
 * answer's time is taken just before it is written, not at `finish`: a busy process may run the
 * `finish` callback long after the bytes left, and the observer needs the earliest moment the
 * client can have had them.
 */
function watchExchange(
  res: ServerResponse,
  request: MockRequestInfo,
  arrival: Pick<ObservedExchange, 'receivedAt' | 'connection'>,
  observe: NonNullable<MockOptions['observe']>,
) {
  let response: MockResponse | undefined;
  let answeredAt = 0;
  let reported = false;
  // When the client's end of the connection arrived (its FIN, or a reset), stamped as it is read:
  // 'close' comes a loop phase later, after a connection the client opened next may already have
  // been accepted and stamped, which made a request it gave up on look still in flight.
  let endedAt: number | undefined;
  let reset = false;
  const ended = () => {
    endedAt ??= preciseNow();
  };
  res.socket?.once('end', ended);
  res.socket?.once('error', ended);
  res.once('finish', () => {
    if (!response) return;
    reported = true;
    observe({ request, ...arrival, response, answeredAt });
  });
  res.once('close', () => {
    res.socket?.off('end', ended);
    res.socket?.off('error', ended);
    if (reported) return;
    reported = true;
    observe({
      request,
      ...arrival,
      abandonedAt: endedAt ?? preciseNow(),
      ...(reset ? { reset: true as const } : {}),
    });
  });
  return {
    /** Call just before the mock resets the connection (a fault with `reset`). */
    resetting() {
      reset = true;
      endedAt = preciseNow();
    },
    /** Call just before writing `answer`. */
    writing(answer: MockResponse) {
      response = answer;
      answeredAt = preciseNow();
    },
  };
}

export function createRequestListener(
  ctx: MockContext,
  options: ListenerOptions,
  connections?: ConnectionLog,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const receivedAt = preciseNow();
    const connection = connections?.arrived(req.socket);
    const time = new Date(receivedAt).toISOString();
    let watch: ReturnType<typeof watchExchange> | undefined;
    try {
      const url = requestTarget(req.url ?? '/');
      const info: MockRequestInfo = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: flattenHeaders(req),
        body: '',
        remoteAddress: req.socket.remoteAddress ?? '',
      };
      const hook = options.faultHook && info.path === FAULT_HOOK_PATH;
      watch =
        options.observe && !hook
          ? watchExchange(
              res,
              info,
              { receivedAt, ...(connection ? { connection } : {}) },
              options.observe,
            )
          : undefined;
      const read = readBody(req);
      const body = read instanceof Promise ? await read : read;
      info.body = body.text;
      const flags = responseFlags(url.searchParams);

      if (hook) {
        writeResponse(res, applyFlags(handleFaultHook(ctx, info), flags));
        return;
      }

      // The journal keeps what the client sent; the contract sees the rewritten request.
      const handled = options.rewrite ? options.rewrite(info) : info;
      const fault = ctx.faults.take(handled.path);
      if (fault && fault.delayMs > 0) await delayUnlessGone(res, fault.delayMs);
      if (fault?.reset) {
        // No answer at all: a TCP RST, as a proxy that drops the request sends.
        watch?.resetting();
        req.socket.resetAndDestroy();
        return;
      }
      // Awaited only when it is a promise (a token signed off the loop): a probe answers in the
      // same turn it was read in.
      const routed = route(ctx, handled, body.tooLarge, fault);
      let response = applyFlags(routed instanceof Promise ? await routed : routed, flags);
      if (options.tamper) response = options.tamper(response, handled);
      const early = receivedAt + options.latencyMs - preciseNow();
      if (early > 0) await delayUnlessGone(res, early);
      if (watch) {
        await connections?.settle();
        if (res.destroyed) return;
        watch.writing(response);
      }
      writeResponse(res, response);
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
      const failed = oauthError(ctx.identity, 'server_error');
      watch?.writing(failed);
      writeResponse(res, failed);
    }
  };
}
