/**
 * What each sequence gathers for its checks, typed, in a leaf module: the sequences
 * (src/sequences) write these, the checks read them, and neither imports the other.
 * Each value carries `of`, the kind of sequence that gathered it, so a check reads only its own
 * ({@link factsOf}).
 */
import type { RateLimit } from '../../shared/types.ts';
import type { StatedLimits } from '../rate-limit-stated.ts';

/** What the credential-encoding sequence records (src/suite/sequences/credential-encoding.ts). */
export interface CredentialEncodingFacts {
  /** Whether the id or secret holds characters whose raw and form-urlencoded forms differ. */
  differ: boolean;
  /** Whether the config fixed the encoding (then only it was tried). */
  fixed: boolean;
  /** Each encoding tried, in order, where, and the status it got. */
  tried: { encoding: string; endpoint: 'token' | 'revoke'; status?: number | undefined }[];
  /** The encoding the rest of the run uses. */
  adopted: string;
}

/** What a revocation sequence records (src/suite/sequences/revoke.ts). */
export interface RevocationFacts {
  /** Probe status before the revoke request (for a fresh token, its second use). */
  before?: number;
  /** For a fresh token, the probe status of its first use (before `before`). */
  firstUse?: number;
  /** ms after the revoke response at which the probe first refused the token; absent if it never did. */
  refusedAfterMs?: number;
  /** How long the probe was watched (ms), and how many times it was asked. */
  watchedMs: number;
  probes: number;
  /** The probe status seen last. */
  last?: number;
}

/** One generated malformed request and what it got (src/suite/sequences/fuzz.ts). */
export interface FuzzOutcome {
  kind: string;
  status?: number;
  /** Statuses besides a 4xx that answer this input correctly (see FuzzInput.alsoAccepted). */
  alsoAccepted?: number[];
  error?: string;
  /** The step that holds its exchange. */
  step: string;
}

/** What the fuzz sequence records. */
export interface FuzzFacts {
  outcomes: FuzzOutcome[];
}

/** What a rate-limit burst records (src/suite/sequences/rate-limit.ts). */
export interface BurstFacts {
  sent: number;
  /** Requests answered with anything but 429. */
  admitted: number;
  elapsedMs: number;
  /** ms from the burst's start until the request one past the limit was answered. */
  pastLimitAtMs?: number;
  limit: number;
  windowSeconds: number;
  /**
   * How long the window lasts in real ms: windowSeconds x the target's second (1000 ms, or the
   * embedded mock's faster clock, RunContext.secondMs).
   */
  windowMs: number;
  stated?: RateLimit | undefined;
  /** The limit as each place of the 429 states it: words, ApiError parameters, RateLimit headers. */
  statedBy?: StatedLimits;
  retryAfterSeconds?: number;
  /** The Retry-After was past its bound (twice the window), in words: a finding; not waited. */
  retryAfterTooLong?: string;
  /** Waiting the Retry-After would have passed the run's deadline; not waited. */
  retryAfterPastDeadline?: string;
}

/** One probe of the expiry sequence: when it was sent and answered (ms after the token request was sent), and its status. */
export interface ProbeAt {
  sentAtMs: number;
  answeredAtMs: number;
  status?: number;
}

/** What the expiry sequence records (src/sequences/expiry.ts). */
export interface ExpiryFacts {
  /** The token's expires_in, in seconds. */
  expiresIn: number;
  /** How long the token request took to be answered, in ms: the token died within it, expires_in later. */
  latencyMs: number;
  /** The tolerance around expires_in, in ms. */
  toleranceMs: number;
  /**
   * The probe just after the token was issued (its first use): the one before expiry is its
   * second, so a token that works only once is refused before its time, not after it.
   */
  first?: ProbeAt;
  /** The probe meant for just before expires_in had passed, and the one just after. */
  before: ProbeAt;
  after: ProbeAt;
}

/** What the active-token limit sequence records (src/sequences/token-limit.ts). */
export interface TokenLimitFacts {
  /** The limit the run holds the target to. */
  limit: number;
  /** Token requests sent, and how many got a token. */
  sent: number;
  issued: number;
  /** The status and error code of the first refusal, and after how many tokens it came. */
  refusedAfter?: number;
  refusal?: { status: number; error?: string; description?: string };
  /** Tokens revoked afterwards, and revocations that did not get a 200. */
  revoked: number;
  revokeFailures: number;
}

/** What the reuse sequence records (src/sequences/reuse.ts): each try of the shared token at the probe. */
export interface ReuseFacts {
  probes: { where: string; afterMs: number; status?: number }[];
  /** The configured token lifetime, s: a refusal after it (counted from the run's start) judges nothing. */
  lifetimeSeconds: number | null;
}

/** The facts of a case result, tagged by the kind of sequence that gathered them. */
export type Facts =
  | ({ of: 'credential-encoding' } & CredentialEncodingFacts)
  | ({ of: 'revocation' } & RevocationFacts)
  | ({ of: 'fuzz' } & FuzzFacts)
  | ({ of: 'burst' } & BurstFacts)
  | ({ of: 'expiry' } & ExpiryFacts)
  | ({ of: 'token-limit' } & TokenLimitFacts)
  | ({ of: 'reuse' } & ReuseFacts);

/** The facts of kind `of`, or undefined when the result has none or another sequence's. */
export function factsOf<K extends Facts['of']>(
  facts: Facts | undefined,
  of: K,
): Extract<Facts, { of: K }> | undefined {
  if (facts?.of !== of) return undefined;
  return facts as Extract<Facts, { of: K }>;
}

/** The facts as shown in a report: without their tag. */
export function shownFacts(facts: Facts): Record<string, unknown> {
  const { of: _of, ...shown } = facts;
  return shown;
}
