/**
 * `GET /api/atlas/v2/`: a resource that accepts only live tokens, to show a token works; and its
 * aliases, Admin API list paths that answer the same way with a plausible body.
 */

import type { MockContext } from './context.ts';
import { parseBearer } from './credentials.ts';
import { ATLAS_V2_TYPE, apiError, headersFor, JSON_ISO_8859_1_TYPE } from './responses.ts';
import type { MockRequestInfo, MockResponse } from './types.ts';

export const PROBE_PATH = '/api/atlas/v2/';

export const PROBE_BODY = {
  appName: 'MongoDB Atlas',
  build: 'reference-mock',
  throttling: false,
} as const;

const ORG_ID = '5f0a1b2c3d4e5f6a7b8c9d0e';

/**
 * Admin API paths that are the probe under another name: 200 with the body given here for a live
 * token, 401 otherwise, exactly like {@link PROBE_PATH}. They are the paths real Atlas clients call
 * that cannot be pointed at the probe itself (MongoDB's MCP Atlas API client lists organizations,
 * `listOrgs`, and projects, `listGroups`). The bodies have the Admin API's paginated shape
 * (`links`, `results`, `totalCount`) with one made-up organization and project; nothing else
 * about those resources is modelled.
 */
export const PROBE_ALIASES: Readonly<Record<string, object>> = {
  '/api/atlas/v2/orgs': {
    links: [],
    results: [{ id: ORG_ID, isDeleted: false, name: 'Reference Mock Org' }],
    totalCount: 1,
  },
  '/api/atlas/v2/groups': {
    links: [],
    results: [
      {
        clusterCount: 0,
        created: '2025-01-01T00:00:00Z',
        id: '5f0a1b2c3d4e5f6a7b8c9d0f',
        name: 'Reference Mock Project',
        orgId: ORG_ID,
      },
    ],
    totalCount: 1,
  },
};

/** Whether `path` (without its query) is the probe or one of its aliases: a resource call. */
export function isProbePath(path: string): boolean {
  return path === PROBE_PATH || Object.hasOwn(PROBE_ALIASES, path);
}

/** Answers the probe, or the alias `req.path` names (callers check {@link isProbePath} first). */
export function handleProbe(ctx: MockContext, req: MockRequestInfo): MockResponse {
  const { identity } = ctx;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const res = apiError(
      identity,
      405,
      'METHOD_NOT_ALLOWED',
      `Method ${req.method} is not allowed on ${req.path}; use GET.`,
    );
    res.headers.Allow = 'GET, HEAD';
    return res;
  }
  const authorization = req.headers.authorization;
  const token = parseBearer(authorization);
  if (token !== undefined && ctx.tokens.isLive(token)) {
    return {
      status: 200,
      headers: headersFor(200, identity, { contentType: ATLAS_V2_TYPE }),
      // A copy (a tamper hook may change what it is given); the probe's own body is flat.
      body: Object.hasOwn(PROBE_ALIASES, req.path)
        ? structuredClone(PROBE_ALIASES[req.path])
        : { ...PROBE_BODY },
      pretty: false,
    };
  }
  // RFC 6750 §3.1: no error code when the request carries no bearer credentials at all.
  const attempted = authorization !== undefined && /^Bearer(?:\s|$)/i.test(authorization.trim());
  return apiError(
    identity,
    401,
    'NOT_AUTHORIZED',
    attempted
      ? 'The access token is invalid, expired or revoked.'
      : 'This resource requires a bearer access token.',
    {
      contentType: JSON_ISO_8859_1_TYPE,
      wwwAuthenticate: attempted ? 'Bearer error="invalid_token"' : 'Bearer',
    },
  );
}
