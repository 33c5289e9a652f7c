/**
 * The one HTTP layer: every request the suite sends goes through {@link send}, which records the
 * exchange for checks and reports. Redirects are never followed (a 3xx is a finding, and
 * credentials must not travel along one).
 */
import { Agent, request } from 'undici';

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
  body: string;
  /** True when the body was cut at the read cap. */
  truncated: boolean;
}

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

let agent: Agent | undefined;

function getAgent(): Agent {
  agent ??= new Agent({ connections: 4, pipelining: 0 });
  return agent;
}

export async function closeHttp(): Promise<void> {
  const current = agent;
  agent = undefined;
  await current?.close();
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

export async function send(req: HttpRequest, options: SendOptions): Promise<Exchange> {
  const startedAt = new Date();
  const started = performance.now();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const finish = (partial: Pick<Exchange, 'response' | 'error'>): Exchange => ({
    request: req,
    ...partial,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
  });
  try {
    const res = await request(req.url, {
      method: req.method as 'POST',
      headers: req.headers,
      body: req.body,
      dispatcher: getAgent(),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
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
    return finish({
      response: {
        status: res.statusCode,
        headers: flattenHeaders(res.headers),
        body: Buffer.concat(chunks).toString('utf8'),
        truncated,
      },
    });
  } catch (error) {
    const err = error as Error & { code?: string; cause?: { code?: string; message?: string } };
    const code = err.cause?.code ?? err.code ?? err.name ?? 'ERROR';
    const message = err.cause?.message ?? err.message;
    return finish({ error: { code, message } });
  }
}

/** Parses a JSON body, or says why it is not JSON. */
export function parseJson(
  body: string,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (body.trim() === '') return { ok: false, reason: 'the body is empty' };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, reason: `the body is not JSON (${(error as Error).message})` };
  }
}
