/**
 * The tokens a mock issued (jti -> client id, exp), so that a token is live only while it is
 * signed by the mock's key, unexpired, and still in the store (revocation removes it).
 */

import type { TokenSigner } from './sign-pool.ts';
import {
  newJti,
  opaqueToken,
  type SigningKey,
  signingInput,
  signJwt,
  TOKEN_AUDIENCE,
  type TokenClaims,
  verifyJwt,
} from './tokens.ts';

export interface IssuedToken {
  accessToken: string;
  claims: TokenClaims;
}

export interface TokenStore {
  /**
   * Signs (on this thread) and records a token for this client. `lifetimeSeconds` overrides the
   * store's lifetime for this one token (the fault hook's `tokenLifetimeSeconds`).
   */
  issue(clientId: string, lifetimeSeconds?: number): IssuedToken;
  /**
   * Records a token for this client at once (it counts against the client's active tokens from
   * now) and signs it with the store's signer: at once on this thread, or on its pool (the
   * promise). A signing that fails removes it again.
   */
  issueAsync(clientId: string, lifetimeSeconds?: number): IssuedToken | Promise<IssuedToken>;
  /** Whether the token verifies with the mock's key, is unexpired and has not been revoked. */
  isLive(token: string): boolean;
  /** The claims of a live token, or `undefined`. */
  liveClaims(token: string): TokenClaims | undefined;
  /**
   * The claims of a token signed by the mock's key, expired or revoked ones included, or
   * `undefined` (malformed, or not signed by this key). An opaque token carries no claims: only
   * a live one is known.
   */
  signedClaims(token: string): TokenClaims | undefined;
  /** Removes a token; it stops being live. Returns whether the store held it. */
  revoke(jti: string): boolean;
  /** Removes every token of this client; returns how many were live. */
  revokeAll(clientId: string): number;
  /** Unexpired, unrevoked tokens of this client. */
  activeCount(clientId: string): number;
}

export interface TokenStoreOptions {
  /** The signing key; `null` issues opaque tokens (MockOptions.tokenFormat `opaque`). */
  key: SigningKey | null;
  issuer: string;
  lifetimeSeconds: number;
  /** Signs for {@link TokenStore.issueAsync}, on a pool when busy (src/mock/sign-pool.ts). Default: on this thread. */
  signer?: TokenSigner;
  /** Clock in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

interface StoredToken {
  clientId: string;
  /**
   * When it dies, in epoch ms: its issue plus `expires_in` to the millisecond. The `exp` claim is
   * whole seconds (`iat` rounded down, plus the lifetime), up to a second earlier: a token that
   * died at `exp` would be refused up to a second before the `expires_in` its client was given
   * had passed (RFC 6749 §5.1 counts it from the response), which failed a client that renews on
   * time, depending on the sub-second phase of its run.
   */
  diesAt: number;
  /** The token as issued ('' while it is being signed): a live token is one of these, so liveness needs no signature check. */
  accessToken: string;
  claims: TokenClaims;
}

export function createTokenStore(options: TokenStoreOptions): TokenStore {
  const { key, issuer, lifetimeSeconds } = options;
  const now = options.now ?? Date.now;
  // In the order they were issued, which (one lifetime for all) is the order they expire in.
  const tokens = new Map<string, StoredToken>();
  // Tokens given another lifetime (the fault hook's, a few at a time): not in expiry order, so
  // pruned by a full scan; each is in `tokens` too.
  const otherLifetimes = new Map<string, StoredToken>();
  // The same tokens by their text, for the probe's lookups (a verify of ES512 costs about 1 ms).
  const byText = new Map<string, StoredToken>();
  const perClient = new Map<string, number>();

  const forget = (jti: string, stored: StoredToken): void => {
    tokens.delete(jti);
    otherLifetimes.delete(jti);
    if (stored.accessToken) byText.delete(stored.accessToken);
    const count = (perClient.get(stored.clientId) ?? 1) - 1;
    if (count > 0) perClient.set(stored.clientId, count);
    else perClient.delete(stored.clientId);
  };

  // Expired tokens are at the front: drop them until the first one that is not (a clock set
  // back may leave a later one expired behind it for a while: it is dropped when it is reached).
  const prune = (): void => {
    const t = now();
    for (const [jti, token] of otherLifetimes) if (token.diesAt <= t) forget(jti, token);
    for (const [jti, token] of tokens) {
      if (token.diesAt > t) {
        if (!otherLifetimes.has(jti)) break;
        continue;
      }
      forget(jti, token);
    }
  };

  const signedClaims = (token: string): TokenClaims | undefined => {
    const stored = byText.get(token);
    if (stored) return stored.claims;
    if (!key) return undefined;
    try {
      return verifyJwt(key, token)?.claims;
    } catch {
      return undefined;
    }
  };

  // Only tokens this store issued can be live, so an exact match of the text is proof enough.
  const liveClaims = (token: string): TokenClaims | undefined => {
    const stored = byText.get(token);
    if (!stored || stored.diesAt <= now()) return undefined;
    return stored.claims;
  };

  const record = (clientId: string, lifetime = lifetimeSeconds): StoredToken => {
    prune();
    const issuedAt = now();
    const iat = Math.floor(issuedAt / 1000);
    const claims: TokenClaims = {
      iss: issuer,
      aud: TOKEN_AUDIENCE,
      sub: clientId,
      iat,
      exp: iat + lifetime,
      jti: newJti(),
    };
    const stored: StoredToken = {
      clientId,
      diesAt: issuedAt + lifetime * 1000,
      accessToken: '',
      claims,
    };
    tokens.set(claims.jti, stored);
    if (lifetime !== lifetimeSeconds) otherLifetimes.set(claims.jti, stored);
    perClient.set(clientId, (perClient.get(clientId) ?? 0) + 1);
    return stored;
  };
  const complete = (stored: StoredToken, accessToken: string): IssuedToken => {
    stored.accessToken = accessToken;
    // Revoked (or expired) while it was being signed: it never becomes live.
    if (tokens.get(stored.claims.jti) === stored) byText.set(accessToken, stored);
    return { accessToken, claims: stored.claims };
  };

  return {
    issue(clientId, lifetime) {
      const stored = record(clientId, lifetime);
      return complete(stored, key ? signJwt(key, stored.claims) : opaqueToken());
    },
    issueAsync(clientId, lifetime) {
      const stored = record(clientId, lifetime);
      if (!key) return complete(stored, opaqueToken());
      const input = signingInput(key, stored.claims);
      try {
        const signature = options.signer ? options.signer.sign(input) : undefined;
        if (signature === undefined) return complete(stored, signJwt(key, stored.claims));
        if (typeof signature === 'string') return complete(stored, `${input}.${signature}`);
        return signature.then(
          (done) => complete(stored, `${input}.${done}`),
          (error: unknown) => {
            if (tokens.get(stored.claims.jti) === stored) forget(stored.claims.jti, stored);
            throw error;
          },
        );
      } catch (error) {
        forget(stored.claims.jti, stored);
        throw error;
      }
    },
    isLive: (token) => liveClaims(token) !== undefined,
    liveClaims,
    signedClaims,
    revoke(jti) {
      const stored = tokens.get(jti);
      if (!stored) return false;
      forget(jti, stored);
      return true;
    },
    revokeAll(clientId) {
      prune();
      let count = 0;
      for (const [jti, token] of tokens) {
        if (token.clientId !== clientId) continue;
        forget(jti, token);
        count += 1;
      }
      return count;
    },
    activeCount(clientId) {
      prune();
      return perClient.get(clientId) ?? 0;
    },
  };
}
