/**
 * The harness's record of what a program sent: the mock's exchanges, seen in process with their
 * secrets, turned at once into facts that hold none (tokens become T1, T2, ...; credentials become
 * "raw", "percent-encoded" or "wrong"). Judgements read only these facts.
 */
import { mediaType } from '../mock/client-request.ts';
import { parseBasic, parseBearer } from '../mock/credentials.ts';
import { PROBE_PATH, REVOKE_PATH, TOKEN_PATH } from '../mock/index.ts';
import type { ObservedExchange } from '../mock/types.ts';

export type RequestKind = 'token' | 'revoke' | 'resource' | 'other';

/** How a credential compares with what the program was given. */
export type CredentialMatch = 'raw' | 'percent-encoded' | 'wrong';

export type ClientAuth =
  | { scheme: 'basic'; clientId: CredentialMatch; clientSecret: CredentialMatch; sentId: string }
  | { scheme: 'basic-undecodable' }
  | { scheme: 'none'; bodyCredentials: boolean }
  | { scheme: 'other'; name: string };

export interface ClientRequest {
  /** 1-based, in the order the mock answered (a slow answer comes after a later quick one). */
  index: number;
  kind: RequestKind;
  method: string;
  path: string;
  /** Milliseconds since the program started. */
  receivedAt: number;
  sentAt: number;
  status: number;
  retryAfterSeconds?: number;
  /** Token and revocation requests: how the client authenticated. */
  auth?: ClientAuth;
  /** Token and revocation requests: the body's media type and parameter names and values (secrets as refs). */
  form?: { mediaType: string; params: [string, string][] };
  /** Resource requests: the bearer token's ref (T1...), `unknown`, or `none`. */
  bearer?: string;
  /** Names of credentials found in the query string (client_id, client_secret, an access token). */
  credentialsInUrl: string[];
  /** A token response that issued a usable token: its ref and lifetime. */
  issued?: { ref: string; expiresInSeconds: number };
}

export interface Observer {
  onExchange(exchange: ObservedExchange): void;
  requests(): ClientRequest[];
  /** Every access token issued so far, raw: for the redactor and the leak scan only. */
  issuedTokens(): string[];
}

const SECRET_PARAMS = new Set(['client_id', 'client_secret', 'access_token', 'token']);

function matchCredential(sent: string, expected: string): CredentialMatch {
  if (sent === expected) return 'raw';
  try {
    if (decodeURIComponent(sent.replace(/\+/g, ' ')) === expected) return 'percent-encoded';
  } catch {
    // not percent-encoding at all
  }
  return 'wrong';
}

function kindOf(path: string): RequestKind {
  if (path === TOKEN_PATH) return 'token';
  if (path === REVOKE_PATH) return 'revoke';
  if (path === PROBE_PATH) return 'resource';
  return 'other';
}

/**
 * @param given the credentials the program was started with
 * @param startedAt when the program was started (epoch ms); times are relative to it
 */
export function createObserver(
  given: { clientId: string; clientSecret: string },
  startedAt: () => number,
): Observer {
  const records: ClientRequest[] = [];
  const refs = new Map<string, string>();
  const refOf = (token: string): string => refs.get(token) ?? 'unknown';

  function authOf(header: string | undefined, form: URLSearchParams): ClientAuth {
    if (header === undefined) {
      return {
        scheme: 'none',
        bodyCredentials: form.has('client_secret') || form.has('client_id'),
      };
    }
    const basic = parseBasic(header);
    if (basic.kind === 'basic') {
      const clientId = matchCredential(basic.clientId, given.clientId);
      return {
        scheme: 'basic',
        clientId,
        clientSecret: matchCredential(basic.clientSecret, given.clientSecret),
        // Client ids are not secret, but what was sent in their place might be.
        sentId: clientId === 'wrong' ? '(not the given id)' : basic.clientId,
      };
    }
    if (/^Basic\b/i.test(header.trim())) return { scheme: 'basic-undecodable' };
    return { scheme: 'other', name: header.trim().split(/\s/, 1)[0] ?? '' };
  }

  function credentialsInUrl(query: URLSearchParams): string[] {
    const found = new Set<string>();
    for (const [name, value] of query) {
      if (SECRET_PARAMS.has(name.toLowerCase())) found.add(name);
      if (value === given.clientSecret) found.add('the client secret');
      if (refs.has(value)) found.add('an access token');
    }
    return [...found];
  }

  return {
    onExchange({ request, response, receivedAt, sentAt }) {
      const kind = kindOf(request.path);
      const record: ClientRequest = {
        index: records.length + 1,
        kind,
        method: request.method,
        path: request.path,
        receivedAt: receivedAt - startedAt(),
        sentAt: sentAt - startedAt(),
        status: response.status,
        credentialsInUrl: credentialsInUrl(request.query),
      };
      const retryAfter = response.headers['Retry-After'];
      if (retryAfter !== undefined && /^\d+$/.test(retryAfter))
        record.retryAfterSeconds = Number(retryAfter);
      if (kind === 'token' || kind === 'revoke') {
        const form = new URLSearchParams(request.body);
        record.auth = authOf(request.headers.authorization, form);
        record.form = {
          mediaType: mediaType(request.headers['content-type']),
          params: [...form].map(([name, value]) => {
            if (name === 'token') return [name, refOf(value)];
            return [name, SECRET_PARAMS.has(name) ? '(secret)' : value];
          }),
        };
      }
      if (kind === 'resource') {
        const header = request.headers.authorization;
        const token = parseBearer(header);
        record.bearer = token === undefined ? 'none' : refOf(token);
      }
      const body = response.body as { access_token?: unknown; expires_in?: unknown } | undefined;
      if (kind === 'token' && response.status === 200 && typeof body?.access_token === 'string') {
        const ref = `T${refs.size + 1}`;
        refs.set(body.access_token, ref);
        record.issued = {
          ref,
          expiresInSeconds: typeof body.expires_in === 'number' ? body.expires_in : 0,
        };
      }
      records.push(record);
    },
    requests: () => records.map((record) => ({ ...record })),
    issuedTokens: () => [...refs.keys()],
  };
}

/** `1.234 s`: the times in timelines and verdicts. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

function describeAuth(auth: ClientAuth): string {
  switch (auth.scheme) {
    case 'basic':
      return auth.clientId === 'raw' && auth.clientSecret === 'raw'
        ? 'Basic (id and secret as given)'
        : `Basic (id ${auth.clientId}, secret ${auth.clientSecret})`;
    case 'basic-undecodable':
      return 'Basic (undecodable)';
    case 'none':
      return auth.bodyCredentials
        ? 'no Authorization; credentials in the body'
        : 'no Authorization';
    default:
      return `Authorization: ${auth.name} ...`;
  }
}

/** One line per request, no secret in it: the story a failed judgement carries. */
export function timeline(requests: readonly ClientRequest[]): string[] {
  return requests.map((r) => {
    const parts = [`#${r.index} +${seconds(r.receivedAt)} ${r.method} ${r.path}`];
    if (r.auth) parts.push(describeAuth(r.auth));
    if (r.form)
      parts.push(
        `${r.form.mediaType || '(no content type)'} ${r.form.params.map(([n, v]) => `${n}=${v}`).join('&') || '(empty)'}`,
      );
    if (r.bearer) parts.push(`Bearer ${r.bearer}`);
    if (r.credentialsInUrl.length)
      parts.push(`credentials in the URL: ${r.credentialsInUrl.join(', ')}`);
    let answer = `-> ${r.status} at +${seconds(r.sentAt)}`;
    if (r.retryAfterSeconds !== undefined) answer += ` Retry-After: ${r.retryAfterSeconds}`;
    if (r.issued) answer += ` issued ${r.issued.ref} (expires_in ${r.issued.expiresInSeconds})`;
    parts.push(answer);
    return parts.join('  ');
  });
}
