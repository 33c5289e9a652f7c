/** Public shapes of the reference mock (re-exported from `src/mock/index.ts`). */

import type { JsonWebKey } from 'node:crypto';
import type { AccountRole, Accounts, FaultSpec, RateLimit } from '../shared/types.ts';
import type { SigningAlg, TokenFormat } from './tokens.ts';

export interface MockOptions {
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** Port to listen on. Default `0`: an ephemeral port (read it from {@link MockHandle.url}). */
  port?: number;
  /** Seeds the generation of the service accounts (faker's seed), so runs are repeatable. Default `1`. */
  seed?: number;
  /** Accounts to use instead of generated ones; each given role replaces the generated account of that role. */
  accounts?: Partial<Accounts>;
  /** Lifetime of issued access tokens, in seconds (`expires_in`, and `exp - iat` of the JWT). Default `3600`. */
  tokenLifetimeSeconds?: number;
  /**
   * What access tokens are. `ES512` (default): JWTs signed with ES512 over P-521, as the docs'
   * sample token's header shows. For load tests of clients and gateways, where the mock must not
   * be what limits them, a cheaper kind that departs from the docs' sample: `ES256` (P-256) or
   * `EdDSA` (Ed25519, RFC 8037) JWTs with the same claims, or `opaque` random strings (no
   * claims a client can read; the probe and revocation know them). Everything else is the same.
   */
  tokenFormat?: TokenFormat;
  /**
   * Worker threads that sign ES512 tokens once the token endpoint is busy (more than 20 requests
   * in a second; until then tokens are signed on the main thread). ES256 and EdDSA tokens are
   * then signed on libuv's thread pool (`UV_THREADPOOL_SIZE` threads, default 4) instead.
   * Default: one per core (`os.availableParallelism()`); `0` never starts one and signs every
   * token on the main thread.
   */
  signingThreads?: number;
  /**
   * Fixed-window rate limit of `POST /api/oauth/token`, per caller address and client id.
   * Default `{ requests: 10, windowSeconds: 60 }`, the live service's limit. Also the default of
   * {@link MockOptions.revokeRateLimit} (a separate counter).
   */
  rateLimit?: RateLimit;
  /**
   * Fixed-window rate limit of `POST /api/oauth/revoke`, per caller address and client id, with
   * its own counter (revocations do not use up the token endpoint's window, nor the reverse).
   * Default: the value of {@link MockOptions.rateLimit}.
   */
  revokeRateLimit?: RateLimit;
  /**
   * How long one second of the rate limits' clock lasts, in real milliseconds, 1 to 1000 (default
   * 1000). The windows of {@link MockOptions.rateLimit} and {@link MockOptions.revokeRateLimit}
   * and the Retry-After of their 429s count in these seconds; the wire still says whole seconds
   * ("limited to 10 requests every 2 seconds", `Retry-After: 2`). For the suite's embedded run
   * only, which knows and waits them so: to any other client a value below 1000 makes those
   * numbers untrue. Nothing else (token lifetimes, dates, the fault hook) is affected.
   */
  secondMs?: number;
  /**
   * Unexpired, unrevoked tokens one service account may hold; the next token request is refused
   * with 403 `access_denied` "Access Token limit reached for the service account." until one of
   * them expires or is revoked (revoked and expired tokens stop counting at once). Default `100`,
   * the live service's limit (level observed); `0` turns the limit off.
   */
  maxActiveTokens?: number;
  /**
   * Active-token limits of single accounts, by role, in place of {@link MockOptions.maxActiveTokens}
   * for those accounts (`0`: no limit for that account); each a whole number. Default
   * `{ tokenLimit: 3 }`: the account that only the suite's limit check uses holds 3, so that
   * checking the limit costs 4 token requests; the other accounts have `maxActiveTokens`. Given
   * roles replace the default's one by one.
   */
  maxActiveTokensByRole?: Partial<Record<AccountRole, number>>;
  /** Enables the fault-injection endpoint `/__conformance/faults` (docs/fault-hook.md). Default `true`. */
  faultHook?: boolean;
  /**
   * Applied to every final response of the contract's paths (after the envelope, before
   * serialisation), not to the fault hook's own responses. Deliberately broken mock variants in
   * tests use it. `Content-Length` is always recomputed from the final body.
   */
  tamper?: (res: MockResponse, req: MockRequestInfo) => MockResponse;
  /**
   * Applied to every request to the contract's paths before the mock handles it; the journal
   * records the request as sent. Deliberately broken variants use it to misbehave on the request
   * side: ignore a parameter, accept what should be refused.
   */
  rewrite?: (req: MockRequestInfo) => MockRequestInfo;
  /**
   * Called once for every request to the contract's paths, when its fate is known: its response
   * was handed to the connection, or the connection closed first (the client gave up or exited,
   * or the mock was closed). Secrets unredacted: for in-process observers (the client harness)
   * that derive their own facts and keep no secret. The journal is the redacted record for
   * everyone else. While an observer is set, the mock lets its event loop poll once more before
   * it writes an answer, so that a request or connection already waiting in the kernel's buffers
   * is stamped before that answer is stamped as delivered (ordering is what observers judge).
   */
  observe?: (exchange: ObservedExchange) => void;
  /**
   * Journal entries kept (the most recent ones). Default `1000`. Each entry holds at most about
   * 8,300 characters of what the caller sent (see {@link JournalEntry}), so the journal holds at
   * most about `journalLimit × 8,300` characters whatever callers send.
   */
  journalLimit?: number;
  /**
   * Answers a request to the contract's paths no sooner than this many milliseconds after it
   * arrived, 0 to 10000 (default 0: at once). The live service takes longer than that; the client
   * harness uses it so that requests a program sends together (parallel calls) all arrive before
   * any of them is answered, as they would at the live service, and none of them can be taken for
   * a reaction to another's answer.
   */
  latencyMs?: number;
}

export interface MockResponse {
  status: number;
  /**
   * Response headers, in the order they are written. `Date` is written only if present here
   * (the mock puts it in every response). `Content-Length` (a placeholder here) is always
   * written with the serialised body's real length (`0` without a body), at its place in this
   * record. `Connection` always says what the connection will really do (added last if absent
   * here).
   */
  headers: Record<string, string>;
  /**
   * A JSON value to serialise, or `undefined` for no body. A `Uint8Array` (e.g. a `Buffer`) is
   * sent verbatim, for variants that send something other than JSON.
   */
  body: unknown;
  /** Serialise the body with 2-space indentation (the `pretty=true` flag). */
  pretty: boolean;
}

export interface MockRequestInfo {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Request headers, names lowercased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The request body as UTF-8 text (at most the body cap, 64 KiB). */
  body: string;
  remoteAddress: string;
}

/**
 * An exchange as {@link MockOptions.observe} sees it: the request as sent, and either the response
 * as written (`response`, `answeredAt`) or when the connection closed without one (`abandonedAt`).
 * Times are epoch milliseconds with sub-millisecond resolution (`performance.timeOrigin +
 * performance.now()`), so two moments of one run compare truly.
 */
export interface ObservedExchange {
  /** The request; its body is what had arrived, if the connection closed before the end of it. */
  request: MockRequestInfo;
  /** When the request's head arrived. */
  receivedAt: number;
  /** The connection it came on. */
  connection?: ObservedConnection;
  /** The response as written; only when it was delivered. */
  response?: MockResponse;
  /** When the mock started to write the response, which then reached the connection (`finish`). */
  answeredAt?: number;
  /** When the connection closed with no response delivered. */
  abandonedAt?: number;
  /** Set when the mock itself reset the connection (a fault with `reset`), not the client. */
  reset?: true;
}

/** The connection an observed request came on. */
export interface ObservedConnection {
  /** 1, 2, ... in the order the mock accepted connections. */
  id: number;
  /** When the mock accepted it (same clock as {@link ObservedExchange.receivedAt}). */
  acceptedAt: number;
  /** 1 for the connection's first request, 2 for the next (keep-alive), ... */
  sequence: number;
}

/**
 * One request the mock answered. Secrets are redacted by name and by value, then what the caller
 * sent is clipped (src/mock/journal.ts `JOURNAL_LIMITS`): a clipped text ends with
 * `…[N more characters]`.
 */
export interface JournalEntry {
  /** When the request arrived (ISO 8601). */
  time: string;
  method: string;
  /** At most 1,024 characters. */
  path: string;
  /** The raw query string, without `?`; at most 1,024 characters. */
  query: string;
  /**
   * Request headers, names lowercased, in the order received; each value at most 1,024
   * characters, names and values together at most 2,048. Headers past that are left out, and the
   * pseudo-header `(omitted)` (never a real header name) says how many.
   */
  headers: Record<string, string>;
  /** The body as UTF-8 text; at most 4,096 characters. */
  body: string;
  /** The status actually sent (after `tamper`). */
  status: number;
  remoteAddress: string;
  durationMs: number;
}

export interface MockHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). Also the tokens' `iss`. */
  url: string;
  /** The accounts the mock knows, every role filled. */
  accounts: Required<Accounts>;
  /**
   * The public half of the token-signing key (P-521 for ES512), as a JWK with `kid`, `alg` and
   * `use`; absent when tokens are opaque.
   */
  publicJwk?: JsonWebKey & { kid: string; alg: SigningAlg; use: 'sig' };
  /** What the access tokens are (see {@link MockOptions.tokenFormat}). */
  tokenFormat: TokenFormat;
  /** The journal, oldest first (a copy). */
  journal(): readonly JournalEntry[];
  /**
   * Same as `POST /__conformance/faults`; throws a `TypeError` on an invalid spec, a `RangeError`
   * when 100 faults are pending. Works even when `faultHook` is false.
   */
  injectFault(f: FaultSpec): void;
  /** Same as `DELETE /__conformance/faults`. */
  clearFaults(): void;
  /**
   * Revokes every live token of this client id server-side, as when an administrator revokes
   * them or deletes the secret: the probe answers 401 for them from now on. Returns how many.
   */
  revokeTokens(clientId: string): number;
  /**
   * Gives the account with this client id a new random secret, as when an administrator rotates
   * it: from now on its old secret gets 401 `invalid_client`. Its tokens stay live (see
   * {@link MockHandle.revokeTokens}). Returns the new secret; throws a `TypeError` for an unknown id.
   */
  rotateSecret(clientId: string): string;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}
