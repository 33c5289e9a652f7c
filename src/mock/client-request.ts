/**
 * What both OAuth endpoints (token, revoke) do before their own parameters, in the same order:
 * the endpoint's rate limit (every request counts), the method, client authentication present and
 * decodable, the body cap, the form content type; and, once their own parameters are checked,
 * the client's credentials and standing.
 */
import type { AccountRole, RateLimit } from '../shared/types.ts';
import { roleOf, secretsEqual } from './accounts.ts';
import type { MockContext } from './context.ts';
import { parseBasic } from './credentials.ts';
import { type RateLimiter, rateLimitDescription } from './rate-limit.ts';
import { DESCRIPTIONS, methodNotAllowed, oauthError } from './responses.ts';
import type { MockRequestInfo, MockResponse } from './types.ts';

export const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The media type of a `Content-Type` value, lowercased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

export interface Endpoint {
  path: string;
  limiter: RateLimiter;
  limit: RateLimit;
}

export type Admission =
  | { admitted: true; clientId: string; clientSecret: string; form: URLSearchParams }
  | { admitted: false; response: MockResponse };

export function admitClientRequest(
  ctx: MockContext,
  req: MockRequestInfo,
  bodyTooLarge: boolean,
  endpoint: Endpoint,
): Admission {
  const { identity } = ctx;
  const refuse = (response: MockResponse): Admission => ({ admitted: false, response });
  const credentials = parseBasic(req.headers.authorization);

  const clientIdForLimit = credentials.kind === 'basic' ? credentials.clientId : undefined;
  const verdict = endpoint.limiter.hit(req.remoteAddress, clientIdForLimit);
  if (verdict.limited) {
    return refuse(
      oauthError(identity, 'rate_limited', rateLimitDescription(endpoint.path, endpoint.limit), {
        retryAfterSeconds: verdict.retryAfterSeconds,
      }),
    );
  }
  if (req.method !== 'POST')
    return refuse(methodNotAllowed(identity, req.method, endpoint.path, 'POST'));

  // RFC 6749 §5.2: "no client authentication included" is invalid_client (RFC 7009 §2.1 likewise).
  if (credentials.kind === 'absent') return refuse(oauthError(identity, 'invalid_client'));
  if (credentials.kind === 'invalid') return refuse(oauthError(identity, 'invalid_request'));

  if (bodyTooLarge)
    return refuse(oauthError(identity, 'invalid_request', DESCRIPTIONS.bodyTooLarge));
  if (mediaType(req.headers['content-type']) !== FORM_TYPE) {
    return refuse(oauthError(identity, 'invalid_request', DESCRIPTIONS.contentType));
  }
  return {
    admitted: true,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    form: new URLSearchParams(req.body),
  };
}

/** The account the credentials name, or the refusal: unknown client or wrong secret, then access denied. */
export function authenticateClient(
  ctx: MockContext,
  clientId: string,
  clientSecret: string,
): { role: AccountRole } | { response: MockResponse } {
  const role = roleOf(ctx.accounts, clientId);
  const expected = role ? ctx.accounts[role].clientSecret : '';
  const secretOk = secretsEqual(clientSecret, expected);
  if (!role || !secretOk) return { response: oauthError(ctx.identity, 'invalid_client') };
  if (role === 'accessDenied') return { response: oauthError(ctx.identity, 'access_denied') };
  return { role };
}
