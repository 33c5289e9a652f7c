/**
 * What the mock answers: the table of documented errors (code -> status, description), the
 * header set the documentation gives for each status, and the body shapes.
 */

import { randomBytes } from 'node:crypto';
import type { MockResponse } from './types.ts';

export interface ErrorDefinition {
  status: number;
  description: string;
  /** Whether the token endpoint's page documents this error (with this description). */
  documented: boolean;
}

/**
 * The token endpoint's errors, as documented (`rate_limited`'s description is a template). The
 * revocation endpoint's page documents the same table.
 */
export const OAUTH_ERRORS = {
  invalid_request: {
    status: 400,
    description: 'The provided credentials are not valid.',
    documented: true,
  },
  unsupported_grant_type: { status: 400, description: 'Invalid grant type.', documented: true },
  invalid_grant: { status: 400, description: 'Invalid grant.', documented: true },
  invalid_client: { status: 401, description: 'Invalid credentials provided.', documented: true },
  access_denied: {
    status: 403,
    description: 'IP access list validation failed for the service account.',
    documented: true,
  },
  rate_limited: {
    status: 429,
    description: 'Resource {URL} is limited to 10 requests every 1 minutes.',
    documented: true,
  },
  server_error: { status: 500, description: 'Unexpected error.', documented: true },
  // 503 has a documented header set but no documented body; RFC 6749 §4.1.2.1's code is used.
  temporarily_unavailable: {
    status: 503,
    description: 'The service is temporarily unavailable.',
    documented: false,
  },
} as const satisfies Record<string, ErrorDefinition>;

export type OAuthErrorCode = keyof typeof OAUTH_ERRORS;

/** Descriptions used beyond the documented table (documented codes, more specific text). */
export const DESCRIPTIONS = {
  tokenLimit: 'Access Token limit reached for the service account.',
  missingGrantType: 'Missing grant_type.',
  repeatedGrantType: 'The grant_type parameter must not be repeated.',
  contentType: 'Content-Type must be application/x-www-form-urlencoded.',
  bodyTooLarge: 'The request body is too large.',
  missingToken: 'Missing token.',
  repeatedToken: 'The token parameter must not be repeated.',
  foreignToken: 'The token was not issued to this client.',
  methodNotAllowed: (method: string, path: string, allow: string) =>
    `Method ${method} is not allowed on ${path}; use ${allow}.`,
} as const;

/** Fixed for the life of one mock: what `X-MongoDB-Service-Version` says. */
export interface ServiceIdentity {
  gitHash: string;
  versionString: string;
}

export function newServiceIdentity(now: Date = new Date()): ServiceIdentity {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return { gitHash: randomBytes(20).toString('hex'), versionString: `v${day}` };
}

export const JSON_TYPE = 'application/json';
export const JSON_ISO_8859_1_TYPE = 'application/json;charset=ISO-8859-1';
export const ATLAS_V2_TYPE = 'application/vnd.atlas.2023-01-01+json';

/** Written at its documented place; the serialiser puts the real length there. */
const CONTENT_LENGTH_PLACEHOLDER = '0';

function serviceVersion(identity: ServiceIdentity): string {
  return `gitHash=${identity.gitHash}; versionString=${identity.versionString}`;
}

function digestChallenge(): string {
  const nonce = randomBytes(24).toString('base64');
  return `Digest realm="MMS Public API", domain="", nonce="${nonce}", algorithm=MD5, op="auth", stale=false`;
}

export interface HeaderOptions {
  /** Overrides the set's Content-Type. */
  contentType?: string;
  /** Retry-After seconds (429 and 503). */
  retryAfterSeconds?: number;
  /** Retry-After as written, when not delta-seconds (an HTTP-date); wins over `retryAfterSeconds`. */
  retryAfter?: string;
  /** Overrides the 401 challenge (the resource probe sends a Bearer challenge). */
  wwwAuthenticate?: string;
}

/**
 * The documented header set for a status, in the documented order. `Connection` is kept where
 * the documentation shows it; the serialiser sets its value from the connection's real state.
 */
export function headersFor(
  status: number,
  identity: ServiceIdentity,
  options: HeaderOptions = {},
): Record<string, string> {
  const date = new Date().toUTCString();
  if (status === 400) {
    return {
      Date: date,
      'Content-Type': options.contentType ?? JSON_TYPE,
      'Content-Length': CONTENT_LENGTH_PLACEHOLDER,
      Server: 'mdbws',
      'Strict-Transport-Security': 'max-age=31536000; includeSubdomains;',
      'X-MongoDB-Service-Version': serviceVersion(identity),
    };
  }
  if (status === 401) {
    return {
      'Content-Type': options.contentType ?? JSON_ISO_8859_1_TYPE,
      Date: date,
      'WWW-Authenticate': options.wwwAuthenticate ?? digestChallenge(),
      'Content-Length': CONTENT_LENGTH_PLACEHOLDER,
      Connection: 'keep-alive',
    };
  }
  // 200, 403, 429, 500, 503, and the undocumented statuses (404, 405).
  const headers: Record<string, string> = {};
  if (status === 429 || status === 503) {
    headers['Retry-After'] = options.retryAfter ?? String(options.retryAfterSeconds ?? 1);
  }
  headers.Vary = 'Accept-Encoding';
  headers['Content-Type'] = options.contentType ?? JSON_TYPE;
  headers['Strict-Transport-Security'] = 'max-age=300';
  headers.Date = date;
  if (status === 200 || status === 403 || status === 429) headers.Connection = 'keep-alive';
  headers['Content-Length'] = CONTENT_LENGTH_PLACEHOLDER;
  headers['X-MongoDB-Service-Version'] = serviceVersion(identity);
  return headers;
}

/** `{"error": code, "error_description": text}` with the code's status and header set. */
export function oauthError(
  identity: ServiceIdentity,
  code: OAuthErrorCode,
  description: string = OAUTH_ERRORS[code].description,
  options: HeaderOptions & { status?: number } = {},
): MockResponse {
  const status = options.status ?? OAUTH_ERRORS[code].status;
  return {
    status,
    headers: headersFor(status, identity, options),
    body: { error: code, error_description: description },
    pretty: false,
  };
}

/** A 405 in the token endpoint's error shape, with `Allow`. */
export function methodNotAllowed(
  identity: ServiceIdentity,
  method: string,
  path: string,
  allow: string,
): MockResponse {
  const response = oauthError(
    identity,
    'invalid_request',
    DESCRIPTIONS.methodNotAllowed(method, path, allow),
    { status: 405 },
  );
  response.headers.Allow = allow;
  return response;
}

/** The token response (RFC 6749 §5.1), with `Cache-Control: no-store` and `Pragma: no-cache`. */
export function tokenResponse(
  identity: ServiceIdentity,
  accessToken: string,
  expiresIn: number,
): MockResponse {
  const headers = headersFor(200, identity);
  headers['Cache-Control'] = 'no-store';
  headers.Pragma = 'no-cache';
  return {
    status: 200,
    headers,
    body: { access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer' },
    pretty: false,
  };
}

/** The revocation response: 200 with the documented header set and no body (`Content-Length: 0`). */
export function revokedResponse(identity: ServiceIdentity): MockResponse {
  return { status: 200, headers: headersFor(200, identity), body: undefined, pretty: false };
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Atlas Admin API's error shape: `{"error": status, "errorCode", "detail", "reason"}`. */
export function apiError(
  identity: ServiceIdentity,
  status: number,
  errorCode: string,
  detail: string,
  options: HeaderOptions = {},
): MockResponse {
  return {
    status,
    headers: headersFor(status, identity, options),
    body: { error: status, errorCode, detail, reason: REASONS[status] ?? 'Error' },
    pretty: false,
  };
}

export function notFound(identity: ServiceIdentity, path: string): MockResponse {
  return apiError(identity, 404, 'RESOURCE_NOT_FOUND', `Cannot find resource ${path}.`);
}
