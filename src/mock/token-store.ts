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
}

export function createTokenStore(options: TokenStoreOptions): TokenStore {
  const { key, issuer, lifetimeSeconds } = options;
  const now = options.now ?? Date.now;
  const tokens = new Map<string, StoredToken>();
  const nowSeconds = (): number => Math.floor(now() / 1000);

  const prune = (): void => {
    const t = nowSeconds();
    for (const [jti, token] of tokens) if (token.exp <= t) tokens.delete(jti);
  };

  const signedClaims = (token: string): TokenClaims | undefined => {
    try {
      return verifyJwt(key, token)?.claims;
    } catch {
      return undefined;
    }
  };

  const liveClaims = (token: string): TokenClaims | undefined => {
    const claims = signedClaims(token);
    if (!claims || claims.exp <= nowSeconds()) return undefined;
    const stored = tokens.get(claims.jti);
    if (!stored || stored.clientId !== claims.sub || stored.exp <= nowSeconds()) return undefined;
    return claims;
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
      tokens.set(claims.jti, { clientId, exp: claims.exp });
      return { accessToken: signJwt(key, claims), claims };
    },
    isLive: (token) => liveClaims(token) !== undefined,
    liveClaims,
    signedClaims,
    revoke: (jti) => tokens.delete(jti),
    activeCount(clientId) {
      prune();
      let count = 0;
      for (const token of tokens.values()) if (token.clientId === clientId) count += 1;
      return count;
    },
  };
}
