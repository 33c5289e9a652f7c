/**
 * The tokens a mock issued (jti -> client id, exp), so that a token is live only while it is
 * signed by the mock's key, unexpired, and still in the store (revocation removes it).
 */

import {
  newJti,
  type SigningKey,
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
  /** Signs and records a token for this client. */
  issue(clientId: string): IssuedToken;
  /** Whether the token verifies with the mock's key, is unexpired and has not been revoked. */
  isLive(token: string): boolean;
  /** The claims of a live token, or `undefined`. */
  liveClaims(token: string): TokenClaims | undefined;
  /**
   * The claims of a token signed by the mock's key, expired or revoked ones included, or
   * `undefined` (malformed, or not signed by this key).
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
  key: SigningKey;
  issuer: string;
  lifetimeSeconds: number;
  /** Clock in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

interface StoredToken {
  clientId: string;
  exp: number;
  /** The token as issued: a live token is one of these, so liveness needs no signature check. */
  accessToken: string;
  claims: TokenClaims;
}

export function createTokenStore(options: TokenStoreOptions): TokenStore {
  const { key, issuer, lifetimeSeconds } = options;
  const now = options.now ?? Date.now;
  const tokens = new Map<string, StoredToken>();
  // The same tokens by their text, for the probe's lookups (a verify of ES512 costs about 1 ms).
  const byText = new Map<string, StoredToken>();
  const nowSeconds = (): number => Math.floor(now() / 1000);

  const prune = (): void => {
    const t = nowSeconds();
    for (const [jti, token] of tokens) {
      if (token.exp <= t) {
        tokens.delete(jti);
        byText.delete(token.accessToken);
      }
    }
  };

  const signedClaims = (token: string): TokenClaims | undefined => {
    try {
      return verifyJwt(key, token)?.claims;
    } catch {
      return undefined;
    }
  };

  // Only tokens this store issued can be live, so an exact match of the text is proof enough.
  const liveClaims = (token: string): TokenClaims | undefined => {
    const stored = byText.get(token);
    if (!stored || stored.exp <= nowSeconds()) return undefined;
    return stored.claims;
  };

  return {
    issue(clientId) {
      prune();
      const iat = nowSeconds();
      const claims: TokenClaims = {
        iss: issuer,
        aud: TOKEN_AUDIENCE,
        sub: clientId,
        iat,
        exp: iat + lifetimeSeconds,
        jti: newJti(),
      };
      const accessToken = signJwt(key, claims);
      const stored = { clientId, exp: claims.exp, accessToken, claims };
      tokens.set(claims.jti, stored);
      byText.set(accessToken, stored);
      return { accessToken, claims };
    },
    isLive: (token) => liveClaims(token) !== undefined,
    liveClaims,
    signedClaims,
    revoke(jti) {
      const stored = tokens.get(jti);
      if (stored) byText.delete(stored.accessToken);
      return tokens.delete(jti);
    },
    revokeAll(clientId) {
      prune();
      let count = 0;
      for (const [jti, token] of tokens) {
        if (token.clientId !== clientId) continue;
        tokens.delete(jti);
        byText.delete(token.accessToken);
        count += 1;
      }
      return count;
    },
    activeCount(clientId) {
      prune();
      let count = 0;
      for (const token of tokens.values()) if (token.clientId === clientId) count += 1;
      return count;
    },
  };
}
