/**
 * The harness's record of what a program sent: the mock's exchanges, seen in process with their
 * secrets, turned at once into facts that hold none (tokens become T1, T2, ...; credentials become
 * "raw", "percent-encoded" or "wrong"). Judgements read only these facts.
 */
import { mediaType } from '../mock/client-request.ts';
import { parseBasic, parseBearer } from '../mock/credentials.ts';
import { isProbePath, REVOKE_PATH, TOKEN_PATH } from '../mock/index.ts';
import type { ObservedExchange } from '../mock/types.ts';

export type RequestKind = 'token' | 'revoke' | 'resource' | 'other';

/** How a credential compares with what the program was given. */
export type CredentialMatch = 'raw' | 'percent-encoded' | 'wrong';

export type ClientAuth =
  | { scheme: 'basic'; clientId: CredentialMatch; clientSecret: CredentialMatch; sentId: string }
  | { scheme: 'basic-undecodable' }
  | { scheme: 'none'; bodyCredentials: boolean }
  | { scheme: 'other'; name: string };

/**
 * Why a request got no answer: the program closed its connection first, or exited first, or the
 * mock reset the connection (a scenario's fault; the program learnt it at `closedAt`).
 */
export type Unanswered = { closedAt: number; because: 'gave-up' | 'exited' | 'reset' };

/** A Retry-After the program was given: the header as sent, and the moment it names. */
export interface RetryAfter {
  /** The header's value (delta-seconds or an HTTP-date), at most 64 characters. */
  value: string;
  form: 'delta-seconds' | 'http-date';
  /** Ms since the program started: the answer's delivery plus the delta, or the date. */
  notBefore: number;
}

/**
 * One request the program sent, as the mock saw it. Times are milliseconds since the program
 * started. `sentBy` is the latest moment the program can have started to send it: when the mock
 * accepted its connection, for the first request on a connection (the program opened the
 * connection to send it; a busy program may write the request itself much later), else when the
 * request arrived. `answeredAt` is when its answer was handed to the connection, the earliest
 * moment the program can have known it. A request without `answeredAt` was never answered
 * (`unanswered` says why).
 */
export interface ClientRequest {
  /** 1-based, in the order the program sent them (by `sentBy`). */
  index: number;
  kind: RequestKind;
  method: string;
  path: string;
  sentBy: number;
  /** When the request itself reached the mock. */
  arrivedAt: number;
  answeredAt?: number;
  /** The status of the delivered answer. */
  status?: number;
  /** The `error` member of a delivered JSON error body (`access_denied`), at most 64 characters. */
  error?: string;
  unanswered?: Unanswered;
  retryAfter?: RetryAfter;
  /** Token and revocation requests: how the client authenticated. */
  auth?: ClientAuth;
  /** Token and revocation requests: the body's media type and parameter names and values (secrets as refs). */
  form?: { mediaType: string; params: [string, string][] };
  /** Resource requests: the bearer token's ref (T1...), `unknown`, or `none`. */
  bearer?: string;
  /** Names of credentials found in the query string (client_id, client_secret, an access token). */
  credentialsInUrl: string[];
  /** A delivered token response that issued a usable token: its ref (in the order delivered) and lifetime. */
  issued?: { ref: string; expiresInSeconds: number };
}

/** A request that reached the mock this long after its connection was accepted is marked so in timelines. */
const NEW_CONNECTION_NOTE_MS = 5;

/** How long before the program's exit a connection must close to count as given up (exit closes them all). */
export const GAVE_UP_BEFORE_EXIT_MS = 100;

export interface Observer {
  /** The mock's observe hook: called once per request, when it was answered or abandoned. */
  onExchange(exchange: ObservedExchange): void;
  /**
   * The record so far, in the order the program sent the requests. `exitedAt` (ms since start)
   * tells a connection the program closed while it ran from one its exit closed.
   */
  requests(exitedAt?: number): ClientRequest[];
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
  if (isProbePath(path)) return 'resource';
  return 'other';
}

/**
 * @param given the credentials the program was started with
 * @param startedAt when the program was started, on the mock's clock (`preciseNow`, epoch ms);
 *   the record's times are relative to it
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

  function retryAfterOf(value: string | undefined, answeredAt: number): RetryAfter | undefined {
    if (value === undefined) return undefined;
    const text = value.trim().slice(0, 64);
    if (/^\d{1,9}$/.test(text))
      return { value: text, form: 'delta-seconds', notBefore: answeredAt + Number(text) * 1000 };
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    return { value: text, form: 'http-date', notBefore: date - startedAt() };
  }

  return {
    onExchange({ request, response, receivedAt, connection, answeredAt, abandonedAt, reset }) {
      const kind = kindOf(request.path);
      const opened = connection?.sequence === 1 ? connection.acceptedAt : receivedAt;
      const record: ClientRequest = {
        index: 0,
        kind,
        method: request.method,
        path: request.path,
        sentBy: Math.min(opened, receivedAt) - startedAt(),
        arrivedAt: receivedAt - startedAt(),
        credentialsInUrl: credentialsInUrl(request.query),
      };
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
      if (response && answeredAt !== undefined) {
        record.answeredAt = answeredAt - startedAt();
        record.status = response.status;
        const retryAfter = retryAfterOf(response.headers['Retry-After'], record.answeredAt);
        if (retryAfter) record.retryAfter = retryAfter;
        const body = response.body as
          | { access_token?: unknown; expires_in?: unknown; error?: unknown }
          | undefined;
        if (typeof body?.error === 'string') record.error = body.error.slice(0, 64);
        if (kind === 'token' && response.status === 200 && typeof body?.access_token === 'string') {
          const ref = `T${refs.size + 1}`;
          refs.set(body.access_token, ref);
          record.issued = {
            ref,
            expiresInSeconds: typeof body.expires_in === 'number' ? body.expires_in : 0,
          };
        }
      } else {
        // Told apart from an exit once the program's exit time is known (a reset is the mock's).
        record.unanswered = {
          closedAt: (abandonedAt ?? receivedAt) - startedAt(),
          because: reset ? 'reset' : 'exited',
        };
      }
      records.push(record);
    },
    requests: (exitedAt) =>
      [...records]
        .sort((a, b) => a.sentBy - b.sentBy || a.arrivedAt - b.arrivedAt)
        .map((record, i) => {
          const copy: ClientRequest = { ...record, index: i + 1 };
          if (record.unanswered && record.unanswered.because !== 'reset') {
            const { closedAt } = record.unanswered;
            const gaveUp = exitedAt !== undefined && closedAt < exitedAt - GAVE_UP_BEFORE_EXIT_MS;
            copy.unanswered = { closedAt, because: gaveUp ? 'gave-up' : 'exited' };
          }
          return copy;
        }),
    issuedTokens: () => [...refs.keys()],
  };
}

/**
 * When the program learnt how request `r` ended: its answer's delivery, or the reset of its
 * connection; `undefined` while it was in flight to the end (or the program gave up on it).
 */
export function learntAt(r: ClientRequest): number | undefined {
  if (r.answeredAt !== undefined) return r.answeredAt;
  return r.unanswered?.because === 'reset' ? r.unanswered.closedAt : undefined;
}

/**
 * Whether `r` may have been sent in reaction to how `answer` ended: `r` reached the mock after
 * the program learnt it. A request on a connection opened earlier (a spare one an HTTP layer
 * keeps) is given the benefit of the doubt: it is dated by its arrival, not its connection's.
 * Judgements that excuse or expect a reaction (a renewal after a 401, a retry after a 429) use
 * this; those that blame a request for what its program knew use the earliest time
 * (`sentAfterAnswer` in judgements.ts).
 */
export function mayReactTo(r: ClientRequest, answer: ClientRequest): boolean {
  const learnt = learntAt(answer);
  return r !== answer && learnt !== undefined && learnt < r.arrivedAt;
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

/** What became of a request's answer, from the program's side. */
function describeAnswer(r: ClientRequest): string {
  if (r.unanswered)
    return r.unanswered.because === 'gave-up'
      ? `no answer: the program closed the connection at +${seconds(r.unanswered.closedAt)}`
      : r.unanswered.because === 'reset'
        ? `no answer: the mock reset the connection at +${seconds(r.unanswered.closedAt)}`
        : 'no answer: the program exited first';
  let answer = `${r.status} at +${seconds(r.answeredAt ?? r.sentBy)}`;
  if (r.retryAfter) answer += ` Retry-After: ${r.retryAfter.value}`;
  if (r.retryAfter?.form === 'http-date') answer += ` (+${seconds(r.retryAfter.notBefore)})`;
  if (r.issued) answer += ` issued ${r.issued.ref} (expires_in ${r.issued.expiresInSeconds})`;
  return answer;
}

/**
 * One line per request, in the order the program sent them, with when its answer reached the
 * program; no secret in it: the story a failed judgement carries.
 */
export function timeline(requests: readonly ClientRequest[]): string[] {
  return requests.map((r) => {
    const parts = [`#${r.index} +${seconds(r.sentBy)} ${r.method} ${r.path}`];
    // A busy program may open a connection for a request and write the request much later.
    if (r.arrivedAt - r.sentBy >= NEW_CONNECTION_NOTE_MS)
      parts.push(`(new connection; request +${seconds(r.arrivedAt)})`);
    if (r.auth) parts.push(describeAuth(r.auth));
    if (r.form)
      parts.push(
        `${r.form.mediaType || '(no content type)'} ${r.form.params.map(([n, v]) => `${n}=${v}`).join('&') || '(empty)'}`,
      );
    if (r.bearer) parts.push(`Bearer ${r.bearer}`);
    if (r.credentialsInUrl.length)
      parts.push(`credentials in the URL: ${r.credentialsInUrl.join(', ')}`);
    parts.push(`-> ${describeAnswer(r)}`);
    return parts.join('  ');
  });
}
