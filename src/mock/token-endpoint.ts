/** `POST /api/oauth/token`: the client credentials grant (RFC 6749 §4.4) as Atlas documents it. */

import { admitClientRequest, authenticateClient } from './client-request.ts';
import type { MockContext } from './context.ts';
import { DESCRIPTIONS, oauthError, tokenResponse } from './responses.ts';
import type { IssuedToken } from './token-store.ts';
import type { MockRequestInfo, MockResponse } from './types.ts';

export const TOKEN_PATH = '/api/oauth/token';

/**
 * Answers a token request, after the fault hook had its turn. Order: rate limit (every request
 * counts), method, client authentication present and decodable, body, grant type, credentials,
 * the account's standing, its active-token limit, then a token.
 */
export function handleTokenRequest(
  ctx: MockContext,
  req: MockRequestInfo,
  bodyTooLarge: boolean,
  /** This token's lifetime instead of the mock's (a `tokenLifetimeSeconds` fault). */
  lifetimeSeconds: number = ctx.tokenLifetimeSeconds,
): MockResponse | Promise<MockResponse> {
  const { identity } = ctx;
  const admission = admitClientRequest(ctx, req, bodyTooLarge, {
    path: TOKEN_PATH,
    limiter: ctx.rateLimiter,
    limit: ctx.rateLimit,
  });
  if (!admission.admitted) return admission.response;
  const grantTypes = admission.form.getAll('grant_type');
  if (grantTypes.length > 1) {
    return oauthError(identity, 'invalid_request', DESCRIPTIONS.repeatedGrantType);
  }
  const grantType = grantTypes[0];
  if (!grantType) return oauthError(identity, 'invalid_request', DESCRIPTIONS.missingGrantType);
  if (grantType !== 'client_credentials') return oauthError(identity, 'unsupported_grant_type');

  const client = authenticateClient(ctx, admission.clientId, admission.clientSecret);
  if ('response' in client) return client.response;
  if (client.role === 'invalidGrant') return oauthError(identity, 'invalid_grant');

  const limit = ctx.maxActiveTokensByRole[client.role] ?? ctx.maxActiveTokens;
  if (limit > 0 && ctx.tokens.activeCount(admission.clientId) >= limit) {
    return oauthError(identity, 'access_denied', DESCRIPTIONS.tokenLimit);
  }

  // Not registered with the journal's redactor: tokens reach the journal only in places that are
  // redacted by name (Authorization, token=) or by the JWT pattern, and registering every token
  // would grow the redactor without bound and rebuild its pattern on every request.
  const answer = (issued: IssuedToken) =>
    tokenResponse(identity, issued.accessToken, lifetimeSeconds);
  // Signed at once, or (a busy ES512 mock) on its signing pool.
  const issued = ctx.tokens.issueAsync(admission.clientId, lifetimeSeconds);
  return issued instanceof Promise ? issued.then(answer) : answer(issued);
}
