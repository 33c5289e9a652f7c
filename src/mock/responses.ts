/**
 * What the mock answers: the table of documented errors (code -> status, description), the
 * header set the documentation gives for each status, and the body shapes. The table and the
 * header sets are read from the atlas profile's schemas (one source with the checks that judge
 * them): each documented error body is an example of oauth-error.schema.json, its status the
 * `$defs/status-NNN` that allows its code; each header set is `x-documented-set` of
 * headers-NNN.schema.json. Imported as JSON, so that the bundled mock carries them.
 */

import { randomBytes } from 'node:crypto';
import headers200 from '../../specs/profiles/atlas/schemas/headers-200.schema.json' with {
  type: 'json',
};
import headers400 from '../../specs/profiles/atlas/schemas/headers-400.schema.json' with {
  type: 'json',
};
import headers401 from '../../specs/profiles/atlas/schemas/headers-401.schema.json' with {
  type: 'json',
};
import headers403 from '../../specs/profiles/atlas/schemas/headers-403.schema.json' with {
  type: 'json',
};
import headers429 from '../../specs/profiles/atlas/schemas/headers-429.schema.json' with {
  type: 'json',
};
import headers500 from '../../specs/profiles/atlas/schemas/headers-500.schema.json' with {
  type: 'json',
};
import headers503 from '../../specs/profiles/atlas/schemas/headers-503.schema.json' with {
  type: 'json',
};
import oauthErrorSchema from '../../specs/profiles/atlas/schemas/oauth-error.schema.json' with {
  type: 'json',
};
import type { MockResponse } from './types.ts';

export interface ErrorDefinition {
  status: number;
  description: string;
  /** Whether the token endpoint's page documents this error (with this description). */
  documented: boolean;
}

/** The codes the mock answers with: the documented ones, and 503's RFC 6749 code. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'unsupported_grant_type'
  | 'invalid_grant'
  | 'invalid_client'
  | 'access_denied'
  | 'rate_limited'
  | 'server_error'
  | 'temporarily_unavailable';

/** The documented table, from the oauth-error schema; an Error at load if it lacks a code the mock uses. */
function documentedErrors(): Record<OAuthErrorCode, ErrorDefinition> {
  const defs = oauthErrorSchema.$defs as Record<string, { properties: { error: object } }>;
  const statusOf = (code: string): number => {
    for (const [name, def] of Object.entries(defs)) {
      const allowed = def.properties.error as { enum?: string[]; const?: string };
      if (allowed.const === code || allowed.enum?.includes(code))
        return Number(name.replace('status-', ''));
    }
    throw new Error(`oauth-error.schema.json: no status allows ${code}`);
  };
  const table: Partial<Record<string, ErrorDefinition>> = {};
  for (const example of oauthErrorSchema.examples)
    table[example.error] = {
      status: statusOf(example.error),
      description: example.error_description,
      documented: true,
    };
  // 503 has a documented header set but no documented body; RFC 6749 §4.1.2.1's code is used.
  table.temporarily_unavailable = {
    status: 503,
    description: 'The service is temporarily unavailable.',
    documented: false,
  };
  const codes: OAuthErrorCode[] = [
    'invalid_request',
    'unsupported_grant_type',
    'invalid_grant',
    'invalid_client',
    'access_denied',
    'rate_limited',
    'server_error',
    'temporarily_unavailable',
  ];
  const missing = codes.filter((code) => !table[code]);
  if (missing.length > 0)
    throw new Error(`oauth-error.schema.json documents no ${missing.join(', ')}`);
  return table as Record<OAuthErrorCode, ErrorDefinition>;
}

/**
 * The token endpoint's errors, as documented (`rate_limited`'s description is a template). The
 * revocation endpoint's page documents the same table.
 */
export const OAUTH_ERRORS: Readonly<Record<OAuthErrorCode, ErrorDefinition>> = documentedErrors();

/** The documented header sets by status: [name, value as written, with {placeholders}], in order. */
const DOCUMENTED_SETS: ReadonlyMap<number, readonly (readonly string[])[]> = new Map(
  [headers200, headers400, headers401, headers403, headers429, headers500, headers503].map(
    (schema) => [Number(schema.$id.replace(/^.*headers-/, '')), schema['x-documented-set']],
  ),
);

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

/** The documented Digest challenge with a fresh nonce in its `{nonce}`. */
function digestChallenge(written: string): string {
  return written.replace('{nonce}', randomBytes(24).toString('base64'));
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
 * Now as an IMF-fixdate (RFC 9110 §5.6.7, `Date.prototype.toUTCString`), made once per second of
 * the clock: it has whole seconds, and formatting a date on every response cost a measurable
 * share of a request under load.
 */
let dateSecond = Number.NaN;
let dateText = '';
function httpDate(now: number = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateText = new Date(second * 1000).toUTCString();
    dateSecond = second;
  }
  return dateText;
}

/** One header of a documented set, its placeholders other than the date filled in. */
interface PreparedHeader {
  name: string;
  lower: string;
  written: string;
  /** The value, every placeholder but `{dateInUnixFormat}` filled in. */
  filled: string;
  hasDate: boolean;
}

/** Each identity's documented sets by status, prepared once (a mock answers with a handful). */
const PREPARED = new WeakMap<ServiceIdentity, Map<number, readonly PreparedHeader[]>>();

function preparedSet(status: number, identity: ServiceIdentity): readonly PreparedHeader[] {
  let byStatus = PREPARED.get(identity);
  if (!byStatus) {
    byStatus = new Map();
    PREPARED.set(identity, byStatus);
  }
  let prepared = byStatus.get(status);
  if (!prepared) {
    // The undocumented statuses (404, 405) take 500's set: the service's ordinary error headers.
    const set = DOCUMENTED_SETS.get(status) ?? DOCUMENTED_SETS.get(500) ?? [];
    // The same replacements, in the same order, as on every response before: the date first
    // (its text holds no placeholder), then the length, the hash and the version.
    const DATE = '{dateInUnixFormat}';
    prepared = set.map(([name = '', written = '']) => {
      const dateAt = written.indexOf(DATE);
      const marked = dateAt < 0 ? written : written.replace(DATE, '\u0000');
      const filled = marked
        .replace('{requestLengthInBytes}', CONTENT_LENGTH_PLACEHOLDER)
        .replace('{gitHash}', identity.gitHash)
        .replace('{ApplicationVersion}', identity.versionString);
      return { name, lower: name.toLowerCase(), written, filled, hasDate: dateAt >= 0 };
    });
    byStatus.set(status, prepared);
  }
  return prepared;
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
  const headers: Record<string, string> = {};
  for (const { name, lower, written, filled, hasDate } of preparedSet(status, identity)) {
    if (lower === 'content-type' && options.contentType) headers[name] = options.contentType;
    else if (lower === 'www-authenticate')
      headers[name] = options.wwwAuthenticate ?? digestChallenge(written);
    else if (lower === 'retry-after')
      headers[name] = options.retryAfter ?? String(options.retryAfterSeconds ?? 1);
    else headers[name] = hasDate ? filled.replace('\u0000', httpDate()) : filled;
  }
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
