/** Shapes shared by the suite, the reference mock and the CLI. */

export interface Account {
  clientId: string;
  clientSecret: string;
}

/** The service accounts a run may use, by role. Only `primary` is required. */
export interface Accounts {
  /** An ordinary account: the target issues it tokens. */
  primary: Account;
  /** A second ordinary account (revocation across clients). */
  secondary?: Account;
  /** An account the target refuses with 403 access_denied. */
  accessDenied?: Account;
  /** An account the target refuses with 400 invalid_grant. */
  invalidGrant?: Account;
  /**
   * An ordinary account that nothing but the active-token limit check (token.active-token-limit)
   * uses, so that filling it up refuses no other case's token.
   */
  tokenLimit?: Account;
}

export type AccountRole = keyof Accounts;

/**
 * The active-token limit of the reference mock's `tokenLimit` account (its other accounts have
 * the live service's 100): small, so that checking the limit costs 4 token requests. The suite
 * holds the embedded mock's `tokenLimit` account to it.
 */
export const TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS = 3;

export const ACCOUNT_ROLES: readonly AccountRole[] = [
  'primary',
  'secondary',
  'accessDenied',
  'invalidGrant',
  'tokenLimit',
];

export interface RateLimit {
  /** Requests allowed in one window, per caller address and service account. */
  requests: number;
  windowSeconds: number;
}

/** A profile's name: its folder's (specs/profiles/<name>, or a folder given by path). */
export type ProfileName = string;

export type Level = 'documented' | 'rfc-must' | 'rfc-should' | 'observed';

/**
 * How a client id and secret go into HTTP Basic: `raw` (base64 of `id:secret` as issued, what the
 * Atlas pages show and the live service compares) or `form-urlencoded` (each encoded with
 * application/x-www-form-urlencoded first: RFC 6749 §2.3.1 and Appendix B).
 */
export type ClientCredentialEncoding = 'raw' | 'form-urlencoded';

export type Trigger = 'request' | 'fixture' | 'fault';

/** The two forms of `Retry-After` (RFC 9110 §10.2.3). */
export type RetryAfterFormat = 'delta-seconds' | 'http-date';

/** The fault-injection hook's request body (see docs/fault-hook.md): a `status`, a `delayMs`, or both. */
export interface FaultSpec {
  /** Path the fault applies to, e.g. `/api/oauth/token`; at most 1024 characters. */
  path: string;
  /** Status to answer with: 429, 500 or 503. Without it the request is only delayed, then handled as usual. */
  status?: 429 | 500 | 503;
  /** Retry-After in seconds, 0 to 3600, sent with 429 and 503 (default 1). */
  retryAfterSeconds?: number;
  /**
   * How `Retry-After` says it (RFC 9110 §10.2.3): `delta-seconds` (default), or `http-date`, the
   * IMF-fixdate at least `retryAfterSeconds` away (rounded up to the whole second a date can name).
   */
  retryAfterFormat?: RetryAfterFormat;
  /** How many matching requests the fault answers, 1 to 100 (default 1). */
  count?: number;
  /** Milliseconds to wait before answering, 0 to 60000 (default 0): a slow endpoint. */
  delayMs?: number;
  /**
   * Reset the connection (TCP RST) instead of answering, after `delayMs`: the request gets no
   * response at all, as when a proxy or load balancer drops it. Not with a `status`.
   */
  reset?: true;
  /**
   * The token request this fault takes is handled as usual, but a token it issues lives this many
   * seconds (1 to 3600; `expires_in` and the JWT's `exp - iat` say so): a token that expires
   * within a run. Not with a `status` or `reset`.
   */
  tokenLifetimeSeconds?: number;
}

/** The port a container target listens on unless `container:IMAGE:PORT` says otherwise. */
export const DEFAULT_CONTAINER_PORT = 8080;
/** How long a container target has to answer HTTP, unless the config file says otherwise. */
export const DEFAULT_CONTAINER_STARTUP_SECONDS = 60;

/** An image to start and test (`--target container:IMAGE[:PORT]`). */
export interface ContainerTarget {
  image: string;
  /** The port the service listens on inside the container. */
  port: number;
  /** Replaces the image's command. */
  command?: string[];
  env?: Record<string, string>;
  /** How long the container has to answer HTTP on its port. */
  startupTimeoutMs: number;
}

/** An ordinary account: one the target issues tokens to. */
export type OrdinaryRole = 'primary' | 'secondary';

/** Which ordinary account sends what, as the plan (src/suite/plan.ts) assigned it. */
export interface AccountAssignment {
  /** By case id. */
  cases: Record<string, OrdinaryRole>;
  /** By fuzz case id: the account of each generated input, in order (`primary` where the input names none). */
  fuzz: Record<string, OrdinaryRole[]>;
}
