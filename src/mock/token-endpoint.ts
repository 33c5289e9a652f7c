/** `POST /api/oauth/token`: the client credentials grant (RFC 6749 §4.4) as Atlas documents it. */

import { roleOf, secretsEqual } from './accounts.ts';
import type { MockContext } from './context.ts';
import { parseBasic } from './credentials.ts';
import { rateLimitDescription, rateLimitKey } from './rate-limit.ts';
import { DESCRIPTIONS, methodNotAllowed, oauthError, tokenResponse } from './responses.ts';
import type { MockRequestInfo, MockResponse } from './types.ts';

export const TOKEN_PATH = '/api/oauth/token';

export const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The media type of a `Content-Type` value, lowercased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * Answers a token request, after the fault hook had its turn. Order: rate limit (every request
 * counts), method, client authentication present and decodable, body, grant type, credentials,
 * the account's standing, its active-token limit, then a token.
 */
export function handleTokenRequest(
  ctx: MockContext,
  req: MockRequestInfo,
  bodyTooLarge: boolean,
): MockResponse {
  const { identity } = ctx;
  const credentials = parseBasic(req.headers.authorization);

  const clientIdForLimit = credentials.kind === 'basic' ? credentials.clientId : undefined;
  const verdict = ctx.rateLimiter.hit(rateLimitKey(req.remoteAddress, clientIdForLimit));
  if (verdict.limited) {
    return oauthError(identity, 'rate_limited', rateLimitDescription(TOKEN_PATH, ctx.rateLimit), {
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  }

  if (req.method !== 'POST') return methodNotAllowed(identity, req.method, TOKEN_PATH, 'POST');

  // RFC 6749 §5.2: "no client authentication included" is invalid_client.
  if (credentials.kind === 'absent') return oauthError(identity, 'invalid_client');
  if (credentials.kind === 'invalid') return oauthError(identity, 'invalid_request');

  if (bodyTooLarge) return oauthError(identity, 'invalid_request', DESCRIPTIONS.bodyTooLarge);
  if (mediaType(req.headers['content-type']) !== FORM_TYPE) {
    return oauthError(identity, 'invalid_request', DESCRIPTIONS.contentType);
  }
  const grantTypes = new URLSearchParams(req.body).getAll('grant_type');
  if (grantTypes.length > 1) {
    return oauthError(identity, 'invalid_request', DESCRIPTIONS.repeatedGrantType);
  }
  const grantType = grantTypes[0];
  if (!grantType) return oauthError(identity, 'invalid_request', DESCRIPTIONS.missingGrantType);
  if (grantType !== 'client_credentials') return oauthError(identity, 'unsupported_grant_type');

  const role = roleOf(ctx.accounts, credentials.clientId);
  const expected = role ? ctx.accounts[role].clientSecret : '';
  const secretOk = secretsEqual(credentials.clientSecret, expected);
  if (!role || !secretOk) return oauthError(identity, 'invalid_client');

  if (role === 'accessDenied') return oauthError(identity, 'access_denied');
  if (role === 'invalidGrant') return oauthError(identity, 'invalid_grant');

  if (ctx.tokens.activeCount(credentials.clientId) >= ctx.maxActiveTokens) {
    return oauthError(identity, 'access_denied', DESCRIPTIONS.tokenLimit);
  }

  const issued = ctx.tokens.issue(credentials.clientId);
  // Not registered with the journal's redactor: tokens reach the journal only in places that are
  // redacted by name (Authorization, token=) or by the JWT pattern, and registering every token
  // would grow the redactor without bound and rebuild its pattern on every request.
  return tokenResponse(identity, issued.accessToken, ctx.tokenLifetimeSeconds);
}
