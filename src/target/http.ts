/**
 * The one HTTP layer: every request the suite sends goes through {@link send}, which records the
 * exchange for checks and reports. Redirects are never followed (a 3xx is a finding, and
 * credentials must not travel along one). Every request says which content codings it accepts
 * (RFC 9110 §12.5.3), and a response is judged by its decoded content (§8.4.1), with the coding
 * recorded.
 */
import { rootCertificates } from 'node:tls';
import type { Agent } from 'undici';
import type { TargetFailureKind } from '../shared/errors.ts';
import { quoted, shownText } from '../shared/text.ts';
import { decodeContent } from './content-coding.ts';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased names; repeated fields joined with ", " (RFC 9110 §5.3). */
  headers: Record<string, string>;
  /** The content (decoded from its content codings), as UTF-8 text. */
  body: string;
  /** True when the body was cut at the read cap (on the wire or once decoded). */
  truncated: boolean;
  /**
   * The content codings the body arrived in (Content-Encoding, in the order applied), when it
   * had any, with the bytes on the wire; `problem` says why it could not be decoded (an unknown
   * coding, corrupt data), in which case `body` is empty and checks of the body fail with it.
   */
  coding?: { codings: string[]; wireBytes: number; problem?: string };
  /**
   * True when the content is not valid UTF-8 (each bad sequence is U+FFFD in `body`): JSON sent
   * over a network MUST be UTF-8 (RFC 8259 §8.1), so checks of a JSON body fail with that said.
   */
  notUtf8?: boolean;
}

/** The content codings every request accepts (RFC 9110 §12.5.3), in the order preferred. */
export const ACCEPTED_CODINGS = 'gzip, deflate, br';

export interface TransportError {
  code: string;
  message: string;
}

export interface Exchange {
  request: HttpRequest;
  response?: HttpResponse;
  error?: TransportError;
  startedAt: string;
  durationMs: number;
}

export interface SendOptions {
  timeoutMs: number;
  /** Bodies are read up to this many bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * How this process talks to the target, set once (configureTransport): extra trusted CAs, the
 * run's deadline, and a breaker that stops sending once the target has failed to answer several
 * requests in a row, so a dead or hanging target costs seconds, not timeouts times testcases.
 */
export interface TransportPolicy {
  /** PEM certificates trusted besides the system's (--ca). */
  ca?: string;
  /** Epoch ms after which nothing more is sent (the whole-run deadline). */
  deadlineAt?: number;
  /** Transport errors in a row after which requests are no longer sent. Default 3. */
  breakerThreshold?: number;
}

/**
 * The error codes of a request that was never sent: the run's deadline had passed, or the breaker
 * had opened. A testcase whose exchange carries one is not judged, and the run is incomplete.
 */
export const NOT_SENT: ReadonlySet<string> = new Set(['RUN_DEADLINE', 'TARGET_STOPPED_ANSWERING']);

let policy: TransportPolicy = {};
let agent: Agent | undefined;
/**
 * undici, loaded by the first request: a thread that only plans (the CLI's, against the embedded
 * mock) never pays for it, about 0.1 s of a core and the compilation of its HTTP parser.
 */
let client: Promise<typeof import('undici')> | undefined;
const loadClient = () => {
  client ??= import('undici');
  return client;
};
let failuresInARow = 0;

export function configureTransport(next: TransportPolicy): void {
  policy = next;
  failuresInARow = 0;
  const old = agent;
  agent = undefined;
  void old?.close();
}

function getAgent({ Agent }: typeof import('undici')): Agent {
  agent ??= new Agent({
    connections: 4,
    pipelining: 0,
    ...(policy.ca ? { connect: { ca: [...rootCertificates, policy.ca] } } : {}),
  });
  return agent;
}

/** Why a request is not sent at all, or undefined. */
function refusalToSend(): TransportError | undefined {
  if (policy.deadlineAt !== undefined && Date.now() >= policy.deadlineAt) {
    return {
      code: 'RUN_DEADLINE',
      message: 'not sent: the run deadline (deadlineSeconds) has passed',
    };
  }
  const threshold = policy.breakerThreshold ?? 3;
  if (failuresInARow >= threshold) {
    return {
      code: 'TARGET_STOPPED_ANSWERING',
      message: `not sent: the target failed to answer ${failuresInARow} requests in a row`,
    };
  }
  return undefined;
}

function flattenHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Sends one request and records the exchange; never throws. A request that names no
 * Accept-Encoding is sent (and recorded) with {@link ACCEPTED_CODINGS}. The body is read up to
 * `maxBodyBytes` on the wire and again once decoded. Transport failures (refused, reset, TLS,
 * timeout, not HTTP) become `error`, with the target's own words made visible and bounded.
 *
 * @param request_ - method, absolute URL, headers, body (a string).
 * @param options - `timeoutMs` (milliseconds, the whole exchange), `maxBodyBytes` and the
 *   rest of {@link SendOptions}.
 * @returns the exchange: the request as sent and the response (status, lower-cased headers, body
 *   text) or the transport error; the time it took in ms. Never rejects.
 */
export async function send(request_: HttpRequest, options: SendOptions): Promise<Exchange> {
  // Before the clock starts: loading the client is not the target's time.
  const undici = await loadClient();
  const req = hasHeader(request_.headers, 'accept-encoding')
    ? request_
    : { ...request_, headers: { ...request_.headers, 'accept-encoding': ACCEPTED_CODINGS } };
  const startedAt = new Date();
  const started = performance.now();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const refused = refusalToSend();
  if (refused) {
    return { request: req, error: refused, startedAt: startedAt.toISOString(), durationMs: 0 };
  }
  // Whole milliseconds: AbortSignal.timeout refuses a fraction (a timeoutSeconds of 1.001 is
  // 1000.9999999999999 ms), which would read as a target that does not speak HTTP.
  const timeoutMs = Math.max(
    1,
    Math.ceil(
      policy.deadlineAt === undefined
        ? options.timeoutMs
        : Math.min(options.timeoutMs, policy.deadlineAt - Date.now()),
    ),
  );
  const finish = (partial: Pick<Exchange, 'response' | 'error'>): Exchange => ({
    request: req,
    ...partial,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
  });
  try {
    const res = await undici.request(req.url, {
      method: req.method as 'POST',
      headers: req.headers,
      body: req.body,
      dispatcher: getAgent(undici),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of res.body) {
      const buffer = chunk as Buffer;
      if (size + buffer.length > maxBodyBytes) {
        chunks.push(buffer.subarray(0, maxBodyBytes - size));
        truncated = true;
        res.body.destroy();
        break;
      }
      chunks.push(buffer);
      size += buffer.length;
    }
    failuresInARow = 0;
    const headers = flattenHeaders(res.headers);
    const content = decodeContent(Buffer.concat(chunks), headers['content-encoding'], {
      maxBytes: maxBodyBytes,
      truncated,
    });
    const text = decodeUtf8(content.bytes);
    return finish({
      response: {
        status: res.statusCode,
        headers,
        body: text.body,
        ...(text.valid ? {} : { notUtf8: true }),
        truncated: truncated || content.truncated,
        ...(content.coding ? { coding: content.coding } : {}),
      },
    });
  } catch (error) {
    const err = error as Error & { code?: unknown; cause?: { code?: unknown; message?: string } };
    // A DOMException (the abort signal's TimeoutError) has a numeric code: its name says more.
    const named = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const code = named(err.cause?.code) ?? named(err.code) ?? err.name ?? 'ERROR';
    // The parser's message may quote what the target sent: shown, never raw.
    const message = shownText(err.cause?.message ?? err.message ?? '');
    failuresInARow += 1;
    return finish({ error: { code: shownText(code, 60), message } });
  }
}

/**
 * Which way a request failed, from its transport error code: the connection was refused or the
 * host not found (unreachable), it was reset, the answer was not HTTP, TLS failed, or it timed out.
 */
export function transportFailureKind(code: string): TargetFailureKind {
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)$/.test(code))
    return 'unreachable';
  if (/TIMEOUT|^TimeoutError$|^AbortError$|^ETIMEDOUT$/.test(code)) return 'timeout';
  if (/^(ERR_TLS|ERR_SSL|CERT_|EPROTO$)|SELF_SIGNED|UNABLE_TO_|^DEPTH_ZERO/.test(code))
    return 'tls';
  if (/^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/.test(code)) return 'reset';
  return 'not-http';
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as text, and whether they were valid UTF-8 (the lossy reading otherwise). */
function decodeUtf8(bytes: Buffer): { body: string; valid: boolean } {
  try {
    return { body: STRICT_UTF8.decode(bytes), valid: true };
  } catch {
    return { body: bytes.toString('utf8'), valid: false };
  }
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** The byte order mark a JSON text must not start with (RFC 8259 §8.1). */
const BOM = '\uFEFF';

/**
 * Parses a JSON body, or says why it is not JSON in words that quote none of it unbounded: the
 * parser's complaint (without the snippet it quotes) and the first characters of the body, made
 * visible. A leading byte order mark is named as such (RFC 8259 §8.1: implementations MUST NOT
 * add one to networked JSON).
 */
export function parseJson(
  body: string,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (body.trim() === '') return { ok: false, reason: 'the body is empty' };
  if (body.startsWith(BOM)) {
    return {
      ok: false,
      reason:
        'the body starts with a byte order mark (U+FEFF), which RFC 8259 §8.1 forbids in JSON sent over a network',
    };
  }
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    // V8 quotes the text it choked on ("…" is not valid JSON, or "…"... when it cut it): left
    // out, the start shown instead.
    const complaint = (error as Error).message.replace(
      /,? ".*"(?:\.\.\.)? is not valid JSON$/s,
      '',
    );
    return {
      ok: false,
      reason: `the body is not JSON (${shownText(complaint, 120)}); it starts with ${quoted(body, 60)}`,
    };
  }
}
