/** Reading requests and writing responses: body cap, query flags, envelope, serialisation. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MockResponse } from './types.ts';

/** Bodies larger than this are refused (400 invalid_request on the token endpoint). */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface RequestBody {
  /** The body as UTF-8 text, cut at the limit. */
  text: string;
  tooLarge: boolean;
}

const NO_BODY: RequestBody = Object.freeze({ text: '', tooLarge: false });

/**
 * Whether a request has no body by its framing: neither Content-Length nor Transfer-Encoding
 * (RFC 9112 §6.3: its body length is zero). Node's parser reads nothing more for it.
 */
function hasNoBody(req: IncomingMessage): boolean {
  return (
    req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined
  );
}

/**
 * Reads the whole body, keeping at most `limit` bytes (the rest is read and dropped). A request
 * without a body (a GET, as the probe gets) is answered at once: no listeners, no promise to
 * wait on (the stream's end is left to Node, which drains it when the response finishes).
 */
export function readBody(
  req: IncomingMessage,
  limit = BODY_LIMIT_BYTES,
): RequestBody | Promise<RequestBody> {
  if (hasNoBody(req)) return NO_BODY;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      if (size + chunk.length > limit) {
        tooLarge = true;
        chunks.push(chunk.subarray(0, limit - size));
        size = limit;
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge }));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

/** A boolean query flag: case-insensitive `true`; anything else (or absent) is false. */
export function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

export interface ResponseFlags {
  pretty: boolean;
  envelope: boolean;
}

/** The flags every endpoint honours. `backupJobsEnabledOnly` is accepted and ignored. */
export function responseFlags(query: URLSearchParams): ResponseFlags {
  return { pretty: flag(query, 'pretty'), envelope: flag(query, 'envelope') };
}

/** Statuses that never carry a body (RFC 9110 §6.4.1). */
function bodyForbidden(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/**
 * Applies `pretty` and `envelope` (MongoDB API guideline IPA-115: `{"status", "content"}`, the
 * HTTP status unchanged). With the envelope, a response without a body gets `"content": null`
 * (the revocation endpoint's 200), unless its status forbids a body (204): that one stays
 * without one. `pretty` changes nothing when there is no body.
 */
export function applyFlags(res: MockResponse, flags: ResponseFlags): MockResponse {
  let body = res.body;
  if (flags.envelope && (body !== undefined || !bodyForbidden(res.status))) {
    body = { status: res.status, content: body ?? null };
  }
  return { ...res, headers: { ...res.headers }, body, pretty: res.pretty || flags.pretty };
}

/**
 * A body as it is written: JSON text, pretty or compact; a Uint8Array verbatim; nothing for
 * `undefined`. JSON stays a string so that Node writes it in one piece with the head (a Buffer
 * body is written beside it, a second buffer in every write: measurable under load).
 */
function bodyText(res: MockResponse): string | Uint8Array | undefined {
  if (res.body === undefined || res.body instanceof Uint8Array) return res.body;
  return JSON.stringify(res.body, null, res.pretty ? 2 : undefined);
}

/**
 * Writes a response: headers in their record order, `Content-Length` set to the real length
 * (`0` for a response without a body whose record has one), `Connection` saying what the
 * connection will really do, `Date` only if the record has one.
 */
export function writeResponse(out: ServerResponse, res: MockResponse): void {
  const body = bodyText(res);
  const length =
    body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const keepAlive = out.shouldKeepAlive;
  const headers: string[] = [];
  let sawLength = false;
  let sawConnection = false;
  for (const [name, value] of Object.entries(res.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      if (sawLength) continue;
      sawLength = true;
      headers.push(name, String(length));
    } else if (lower === 'connection') {
      if (sawConnection) continue;
      sawConnection = true;
      headers.push(name, keepAlive ? 'keep-alive' : 'close');
    } else if (lower !== 'transfer-encoding') {
      headers.push(name, value);
    }
  }
  if (body !== undefined && !sawLength) headers.push('Content-Length', String(length));
  if (!sawConnection) headers.push('Connection', keepAlive ? 'keep-alive' : 'close');
  out.sendDate = false;
  out.writeHead(res.status, headers);
  out.end(body);
}
