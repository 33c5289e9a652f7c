/** `POST /api/oauth/revoke`: token revocation (RFC 7009) as Atlas documents it. */

import { admitClientRequest, authenticateClient } from './client-request.ts';
import type { MockContext } from './context.ts';
import { DESCRIPTIONS, oauthError, revokedResponse } from './responses.ts';
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
  const admission = admitClientRequest(ctx, req, bodyTooLarge, {
    path: REVOKE_PATH,
    limiter: ctx.revokeRateLimiter,
    limit: ctx.revokeRateLimit,
  });
  if (!admission.admitted) return admission.response;
  const tokens = admission.form.getAll('token');
  if (tokens.length > 1) return oauthError(identity, 'invalid_request', DESCRIPTIONS.repeatedToken);
  const token = tokens[0];
  if (!token) return oauthError(identity, 'invalid_request', DESCRIPTIONS.missingToken);

  const client = authenticateClient(ctx, admission.clientId, admission.clientSecret);
  if ('response' in client) return client.response;

  const claims = ctx.tokens.signedClaims(token);
  if (claims) {
    if (claims.sub !== admission.clientId) {
      return oauthError(identity, 'invalid_request', DESCRIPTIONS.foreignToken);
    }
    ctx.tokens.revoke(claims.jti);
  }
  return revokedResponse(identity);
}
