/** `POST /api/oauth/revoke`: token revocation (RFC 7009) as Atlas documents it. */

import { roleOf, secretsEqual } from './accounts.ts';
import type { MockContext } from './context.ts';
import { parseBasic } from './credentials.ts';
import { rateLimitDescription, rateLimitKey } from './rate-limit.ts';
import { DESCRIPTIONS, methodNotAllowed, oauthError, revokedResponse } from './responses.ts';
import { FORM_TYPE, mediaType } from './token-endpoint.ts';
import type { MockRequestInfo, MockResponse } from './types.ts';

export const REVOKE_PATH = '/api/oauth/revoke';

/**
 * Answers a revocation request, after the fault hook had its turn. Order, as the token endpoint's:
 * rate limit (its own window; every request counts), method, client authentication present and
 * decodable, body, the `token` parameter, credentials, the account's standing; then the token.
 *
 * `token_type_hint` is ignored whatever its value (RFC 7009 §2.1: a server searches all its
 * token types; the mock has only access tokens). A token this mock signed for another client is
 * refused and left alone (§2.1). A token it signed for this client is revoked; any other token
 * (unknown, malformed, expired, already revoked) also gets the body-less 200 (§2.2).
 */
export function handleRevokeRequest(
  ctx: MockContext,
  req: MockRequestInfo,
  bodyTooLarge: boolean,
): MockResponse {
  const { identity } = ctx;
  const credentials = parseBasic(req.headers.authorization);

  const clientIdForLimit = credentials.kind === 'basic' ? credentials.clientId : undefined;
  const verdict = ctx.revokeRateLimiter.hit(rateLimitKey(req.remoteAddress, clientIdForLimit));
  if (verdict.limited) {
    return oauthError(
      identity,
      'rate_limited',
      rateLimitDescription(REVOKE_PATH, ctx.revokeRateLimit),
      { retryAfterSeconds: verdict.retryAfterSeconds },
    );
  }

  if (req.method !== 'POST') return methodNotAllowed(identity, req.method, REVOKE_PATH, 'POST');

  // RFC 7009 §2.1 authenticates the client as RFC 6749 §2.3 does; §5.2's codes apply.
  if (credentials.kind === 'absent') return oauthError(identity, 'invalid_client');
  if (credentials.kind === 'invalid') return oauthError(identity, 'invalid_request');

  if (bodyTooLarge) return oauthError(identity, 'invalid_request', DESCRIPTIONS.bodyTooLarge);
  if (mediaType(req.headers['content-type']) !== FORM_TYPE) {
    return oauthError(identity, 'invalid_request', DESCRIPTIONS.contentType);
  }
  const tokens = new URLSearchParams(req.body).getAll('token');
  if (tokens.length > 1) return oauthError(identity, 'invalid_request', DESCRIPTIONS.repeatedToken);
  const token = tokens[0];
  if (!token) return oauthError(identity, 'invalid_request', DESCRIPTIONS.missingToken);

  const role = roleOf(ctx.accounts, credentials.clientId);
  const expected = role ? ctx.accounts[role].clientSecret : '';
  const secretOk = secretsEqual(credentials.clientSecret, expected);
  if (!role || !secretOk) return oauthError(identity, 'invalid_client');

  if (role === 'accessDenied') return oauthError(identity, 'access_denied');

  const claims = ctx.tokens.signedClaims(token);
  if (claims) {
    if (claims.sub !== credentials.clientId) {
      return oauthError(identity, 'invalid_request', DESCRIPTIONS.foreignToken);
    }
    ctx.tokens.revoke(claims.jti);
  }
  return revokedResponse(identity);
}
