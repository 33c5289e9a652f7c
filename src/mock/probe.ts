/** `GET /api/atlas/v2/`: a resource that accepts only live tokens, to show a token works. */

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

export function handleProbe(ctx: MockContext, req: MockRequestInfo): MockResponse {
  const { identity } = ctx;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const res = apiError(
      identity,
      405,
      'METHOD_NOT_ALLOWED',
      `Method ${req.method} is not allowed on ${PROBE_PATH}; use GET.`,
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
      body: { ...PROBE_BODY },
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
