// Deliberately broken variants of the reference mock, one deviation each, and the requirement
// ids the suite must fail for it: no more, no fewer.
import {
  generateAccounts,
  type MockOptions,
  type MockRequestInfo,
  type MockResponse,
} from '../../src/mock/index.ts';
import { basicCredentials } from '../../src/shared/redact.ts';
import { TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS } from '../../src/shared/types.ts';
import { statedLimitIn } from '../../src/suite/rate-limit-text.ts';

export interface BrokenVariant {
  name: string;
  deviation: string;
  options: MockOptions;
  /** Requirement ids whose testcases must fail (documented and rfc-must levels fail by default). */
  expectedFailures: string[];
  /** Extra CLI arguments: --strict for a deviation from a should or an observed behaviour. */
  args?: string[];
  /** Config keys for the run besides the accounts, limits and fault hook every variant's run has. */
  config?: Record<string, unknown>;
}

type Payload = Record<string, unknown>;

function isPayload(value: unknown): value is Payload {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

/** Applies `change` to the body, or to the content of an envelope, so a variant deviates once, not twice. */
function mapPayload(
  res: MockResponse,
  req: MockRequestInfo,
  change: (payload: Payload) => Payload,
): MockResponse {
  if (!isPayload(res.body)) return res;
  if (req.query.get('envelope') === 'true' && isPayload(res.body.content)) {
    return { ...res, body: { ...res.body, content: change(res.body.content) } };
  }
  return { ...res, body: change(res.body) };
}

function withoutHeader(res: MockResponse, name: string): MockResponse {
  const headers = Object.fromEntries(
    Object.entries(res.headers).filter(([key]) => key.toLowerCase() !== name),
  );
  return { ...res, headers };
}

const onTokenPath = (req: MockRequestInfo) => req.path === '/api/oauth/token';
const onRevokePath = (req: MockRequestInfo) => req.path === '/api/oauth/revoke';

/**
 * What every variant's run is told besides the accounts, as the embedded run knows it: the
 * tokenLimit account holds 3 tokens, so the limit is checked unasked.
 */
export const MOCK_TOKEN_LIMITS = {
  maxActiveTokensByRole: { tokenLimit: TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS },
};

/** The accounts every variant's mock has (seed 5), so a variant can name them. */
export const VARIANT_SEED = 5;
const accounts = generateAccounts(VARIANT_SEED);
const basicOf = (role: 'primary' | 'secondary') =>
  `Basic ${basicCredentials(accounts[role].clientId, accounts[role].clientSecret)}`;

/** A claim of a JWT the mock issued, if the text is one. */
function claimOf(token: string, name: string): unknown {
  try {
    const payload = token.split('.')[1] ?? '';
    return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Payload)[name];
  } catch {
    return undefined;
  }
}

/**
 * A probe that lets each bearer token through `uses` times, then sends it on as a token it does
 * not know: the mock answers 401 as for any unknown token, so only the reuse deviates.
 */
function singleUseTokens(uses = 1): (req: MockRequestInfo) => MockRequestInfo {
  const seen = new Map<string, number>();
  return (req) => {
    if (req.path !== '/api/atlas/v2/') return req;
    const authorization = req.headers.authorization ?? '';
    if (!authorization.startsWith('Bearer ')) return req;
    const count = (seen.get(authorization) ?? 0) + 1;
    // Bounded whatever a run sends: a run holds a few dozen tokens.
    if (seen.size > 10_000) seen.clear();
    seen.set(authorization, count);
    return count <= uses
      ? req
      : { ...req, headers: { ...req.headers, authorization: 'Bearer used-up' } };
  };
}

/** The `sub` claim of a JWT the mock issued (its client id), if the text is one. */
const subjectOf = (token: string): unknown => claimOf(token, 'sub');

function withForm(req: MockRequestInfo, change: (form: URLSearchParams) => void): MockRequestInfo {
  const form = new URLSearchParams(req.body);
  change(form);
  return { ...req, body: form.toString() };
}

export const BROKEN_VARIANTS: BrokenVariant[] = [
  {
    name: 'wrong-error-code',
    deviation: '401 answers carry error invalid_request instead of invalid_client',
    options: {
      tamper: (res, req) =>
        res.status === 401 && onTokenPath(req)
          ? mapPayload(res, req, (body) =>
              body.error === 'invalid_client' ? { ...body, error: 'invalid_request' } : body,
            )
          : res,
    },
    expectedFailures: [
      'token.error.body',
      'token.invalid_client.401',
      'token.no-client-auth.rejected',
    ],
  },
  {
    name: 'missing-retry-after',
    deviation: '429 and 503 without Retry-After',
    options: {
      tamper: (res) =>
        res.status === 429 || res.status === 503 ? withoutHeader(res, 'retry-after') : res,
    },
    expectedFailures: [
      'revoke.429.headers',
      'revoke.503.headers',
      'token.429.headers',
      'token.503.headers',
    ],
  },
  {
    name: 'missing-www-authenticate',
    deviation: '401 without WWW-Authenticate',
    options: {
      tamper: (res, req) =>
        res.status === 401 && onTokenPath(req) ? withoutHeader(res, 'www-authenticate') : res,
    },
    expectedFailures: ['token.401.headers', 'token.error.headers', 'token.rfc.www-authenticate'],
  },
  {
    name: 'expires-in-string',
    deviation: 'expires_in sent as the string "3600"',
    options: {
      tamper: (res, req) =>
        res.status === 200 && onTokenPath(req)
          ? mapPayload(res, req, (body) =>
              'expires_in' in body ? { ...body, expires_in: String(body.expires_in) } : body,
            )
          : res,
    },
    expectedFailures: ['token.200.body', 'token.200.expires_in', 'token.rfc.success-body'],
  },
  {
    name: 'envelope-ignored',
    deviation: 'envelope=true answered with the bare body',
    options: {
      tamper: (res, req) =>
        req.query.get('envelope') === 'true' && isPayload(res.body) && 'content' in res.body
          ? { ...res, body: res.body.content }
          : res,
    },
    expectedFailures: ['revoke.query.envelope', 'token.query.envelope'],
  },
  {
    name: 'no-cache-control',
    deviation: 'token responses without Cache-Control: no-store',
    options: { tamper: (res) => withoutHeader(res, 'cache-control') },
    expectedFailures: ['token.rfc.cache-control'],
  },
  {
    name: 'token-type-lowercase',
    deviation: 'token_type "bearer" where the docs say "Bearer"',
    options: {
      tamper: (res, req) =>
        res.status === 200 && onTokenPath(req)
          ? mapPayload(res, req, (body) =>
              'token_type' in body ? { ...body, token_type: 'bearer' } : body,
            )
          : res,
    },
    expectedFailures: ['token.200.token_type'],
  },
  {
    name: 'probe-accepts-anything',
    deviation: 'the resource probe answers 200 to any bearer token',
    options: {
      tamper: (res, req) =>
        req.path === '/api/atlas/v2/' && res.status === 401
          ? {
              ...res,
              status: 200,
              body: { appName: 'MongoDB Atlas', build: 'broken', throttling: false },
            }
          : res,
    },
    // Revocation and expiry are judged at the probe, so a probe that accepts anything makes
    // revocation look ineffective and a token outlive its expires_in.
    expectedFailures: [
      'revoke.hint.optional',
      'revoke.token.refused-after-revoke',
      'token.200.access_token.works',
      'token.expiry.enforced',
    ],
  },
  {
    name: 'token-single-use',
    deviation: 'a token works once at the resource probe, then is refused as if unknown (401)',
    options: { rewrite: singleUseTokens() },
    // The checks that a token survives a request (another token's revocation, refused revoke
    // requests) try it at the probe again after it worked: a token that works once fails them as
    // it would fail a client, and their reasons name token.reuse as the other explanation. The
    // expiry check uses its token at once and again just before expires_in: refused then, before
    // its time. The revocation checks try a fresh token twice before revoking it, so they are not
    // judged (a refusal after the revoke request would prove nothing) instead of passing.
    expectedFailures: [
      'revoke.isolation',
      'revoke.other-client.no-effect',
      'revoke.unauthenticated.no-effect',
      'token.expiry.enforced',
      'token.reuse',
    ],
    args: ['--strict'],
  },
  {
    name: 'no-rate-limit',
    deviation: 'no rate limit at all (the suite expects 10 per 2 s)',
    options: { rateLimit: { requests: 1000, windowSeconds: 2 } },
    expectedFailures: ['revoke.rate_limited.429', 'token.rate_limited.429'],
  },
  {
    name: 'pretty-drops-description',
    deviation: 'pretty=true drops error_description',
    options: {
      tamper: (res, req) =>
        req.query.get('pretty') === 'true'
          ? mapPayload(res, req, ({ error_description: _dropped, ...rest }) => rest)
          : res,
    },
    expectedFailures: ['revoke.query.pretty', 'token.query.pretty'],
  },
  {
    name: 'pretty-ignored',
    deviation: 'pretty=true is accepted and ignored: the same compact body',
    options: {
      tamper: (res, req) => (req.query.get('pretty') === 'true' ? { ...res, pretty: false } : res),
    },
    expectedFailures: ['revoke.query.pretty', 'token.query.pretty'],
  },
  {
    name: 'hsts-missing-on-200',
    deviation: '200 without Strict-Transport-Security',
    options: {
      tamper: (res) => (res.status === 200 ? withoutHeader(res, 'strict-transport-security') : res),
    },
    expectedFailures: ['revoke.200.headers', 'token.200.headers'],
  },
  {
    name: 'access-denied-as-401',
    deviation: 'the access-denied account gets 401 invalid_client instead of 403 access_denied',
    options: {
      tamper: (res, req) =>
        res.status === 403 && onTokenPath(req)
          ? mapPayload({ ...res, status: 401 }, req, (body) => ({
              ...body,
              error: 'invalid_client',
            }))
          : res,
    },
    // The body (401 invalid_client) is a valid documented error for its status: only the status and header set are wrong.
    expectedFailures: ['token.access_denied.403'],
  },
  {
    name: 'revoke-noop',
    deviation: 'revoke answers 200 but revokes nothing',
    options: {
      // Only where a token is sent: a request without one must still be refused.
      rewrite: (req) =>
        onRevokePath(req) && new URLSearchParams(req.body).has('token')
          ? withForm(req, (form) => form.set('token', 'ignored'))
          : req,
    },
    expectedFailures: ['revoke.hint.optional', 'revoke.token.refused-after-revoke'],
  },
  {
    name: 'revoke-with-body',
    deviation: 'a successful revocation answers with a JSON body',
    options: {
      tamper: (res, req) =>
        onRevokePath(req) && res.status === 200 && res.body === undefined
          ? { ...res, body: { revoked: true } }
          : res,
    },
    expectedFailures: ['revoke.200.no-body'],
  },
  {
    name: 'revoke-without-client-auth',
    deviation: 'revoke accepts a request with no client authentication',
    options: {
      rewrite: (req) =>
        onRevokePath(req) && !req.headers.authorization
          ? { ...req, headers: { ...req.headers, authorization: basicOf('primary') } }
          : req,
    },
    // Its 200 has a valid header set and content type: only the refusal and its body are missing.
    expectedFailures: [
      'revoke.error.body',
      'revoke.no-client-auth.rejected',
      'revoke.rfc.error-body',
      'revoke.unauthenticated.no-effect',
    ],
  },
  {
    name: 'revoke-other-clients-token',
    deviation: "a client can revoke another client's token",
    // Only a revocation of the primary account's token: the secondary account's other requests
    // (the run may send any ordinary account's) stay its own.
    options: {
      rewrite: (req) =>
        onRevokePath(req) &&
        req.headers.authorization === basicOf('secondary') &&
        subjectOf(new URLSearchParams(req.body).get('token') ?? '') === accounts.primary.clientId
          ? { ...req, headers: { ...req.headers, authorization: basicOf('primary') } }
          : req,
    },
    expectedFailures: ['revoke.other-client.no-effect'],
  },
  {
    name: 'revoke-unknown-token-400',
    deviation: 'revoking a token the server never issued gets 400',
    options: {
      tamper: (res, req) => {
        const token = new URLSearchParams(req.body).get('token') ?? '';
        return onRevokePath(req) && res.status === 200 && token !== '' && !token.startsWith('eyJ')
          ? {
              ...res,
              status: 400,
              body: { error: 'invalid_request', error_description: 'Unknown token.' },
            }
          : res;
      },
    },
    expectedFailures: ['revoke.unknown-token.200'],
  },
  {
    name: 'rate-limit-off-by-one',
    deviation: 'the limiter admits 11 requests a window where 10 are configured',
    options: { rateLimit: { requests: 11, windowSeconds: 2 } },
    expectedFailures: [
      'revoke.rate-limit.exact',
      'revoke.rate-limit.stated',
      'token.rate-limit.exact',
      'token.rate-limit.stated',
    ],
  },
  {
    name: 'rate-limit-never-resets',
    deviation: 'once the token endpoint has answered 429, it answers 429 for ever',
    options: (() => {
      let limited: MockResponse | undefined;
      return {
        tamper: (res: MockResponse, req: MockRequestInfo) => {
          if (!onTokenPath(req)) return res;
          if (limited) return limited;
          if (res.status === 429) limited = res;
          return res;
        },
      };
    })(),
    expectedFailures: ['token.429.retry-after.honest'],
  },
  {
    name: 'rate-limit-wrong-code',
    deviation: 'a 429 carries error "too_many_requests" instead of "rate_limited"',
    options: {
      tamper: (res, req) =>
        res.status === 429
          ? mapPayload(res, req, (body) => ({ ...body, error: 'too_many_requests' }))
          : res,
    },
    expectedFailures: ['revoke.rate_limited.body', 'token.rate_limited.body'],
  },
  {
    name: 'success-as-201',
    deviation: 'a token is issued with 201 Created instead of 200',
    options: {
      tamper: (res, req) => {
        if (!onTokenPath(req) || res.status !== 200) return res;
        // Under envelope=true the body says the status too, as a real server's would.
        const enveloped = req.query.get('envelope') === 'true' && isPayload(res.body);
        return {
          ...res,
          status: 201,
          ...(enveloped ? { body: { ...(res.body as Payload), status: 201 } } : {}),
        };
      },
    },
    expectedFailures: ['token.200.status'],
  },
  {
    name: 'invalid-grant-as-401',
    deviation: 'the invalidGrant account gets 401 invalid_client instead of 400 invalid_grant',
    options: {
      tamper: (res, req) =>
        onTokenPath(req) && isPayload(res.body) && res.body.error === 'invalid_grant'
          ? {
              ...res,
              status: 401,
              body: { error: 'invalid_client', error_description: 'Invalid credentials provided.' },
            }
          : res,
    },
    expectedFailures: ['token.invalid_grant.400'],
  },
  {
    name: 'unknown-grant-as-invalid-request',
    deviation: 'an unknown grant_type gets invalid_request instead of unsupported_grant_type',
    options: {
      tamper: (res, req) =>
        onTokenPath(req)
          ? mapPayload(res, req, (body) =>
              body.error === 'unsupported_grant_type'
                ? { ...body, error: 'invalid_request' }
                : body,
            )
          : res,
    },
    expectedFailures: ['token.unsupported_grant_type.400'],
  },
  {
    name: 'error-description-missing',
    deviation: 'error bodies carry no error_description',
    options: {
      tamper: (res, req) =>
        res.status >= 400
          ? mapPayload(res, req, ({ error_description: _dropped, ...rest }) => rest)
          : res,
    },
    expectedFailures: [
      'revoke.error.body',
      'revoke.rate_limited.body',
      'revoke.rate-limit.stated',
      'token.error.body',
      'token.rate_limited.body',
      'token.rate-limit.stated',
    ],
  },
  {
    name: 'server-header-missing-on-400',
    deviation: '400 without Server: mdbws',
    options: { tamper: (res) => (res.status === 400 ? withoutHeader(res, 'server') : res) },
    expectedFailures: ['revoke.400.headers', 'token.400.headers', 'token.error.headers'],
  },
  {
    name: 'basic-challenge-instead-of-digest',
    deviation: '401 challenges with Basic where the docs document Digest',
    options: {
      tamper: (res, req) =>
        res.status === 401 && !req.path.startsWith('/api/atlas/')
          ? {
              ...res,
              headers: { ...res.headers, 'WWW-Authenticate': 'Basic realm="MMS Public API"' },
            }
          : res,
    },
    expectedFailures: [
      'revoke.401.headers',
      'revoke.error.headers',
      'token.401.headers',
      'token.error.headers',
    ],
  },
  {
    name: 'expires-in-wrong-value',
    deviation: 'expires_in 7200 for a token that lives 3600 s',
    options: {
      tamper: (res, req) =>
        onTokenPath(req) && res.status === 200
          ? mapPayload(res, req, (body) => ({ ...body, expires_in: 7200 }))
          : res,
    },
    expectedFailures: ['token.200.access_token.jwt', 'token.200.expires_in'],
    args: ['--strict'],
  },
  {
    name: 'expired-token-accepted',
    deviation: 'the resource probe accepts a token whose exp has passed',
    options: {
      tamper: (res, req) => {
        if (req.path.startsWith('/api/oauth/') || res.status !== 401) return res;
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        const exp = claimOf(token, 'exp');
        return typeof exp === 'number' && exp * 1000 <= Date.now()
          ? { ...withoutHeader(res, 'www-authenticate'), status: 200, body: {} }
          : res;
      },
    },
    expectedFailures: ['token.expiry.enforced'],
  },
  {
    name: 'jwt-exp-disagrees',
    deviation: 'the JWT lives 7200 s (exp - iat) while expires_in says 3600',
    options: {
      tokenLifetimeSeconds: 7200,
      // Only the mock's own lifetime is restated: a token the fault hook shortened keeps its expires_in.
      tamper: (res, req) =>
        onTokenPath(req) && res.status === 200
          ? mapPayload(res, req, (body) =>
              body.expires_in === 7200 ? { ...body, expires_in: 3600 } : body,
            )
          : res,
    },
    expectedFailures: ['token.200.access_token.jwt'],
    args: ['--strict'],
  },
  {
    name: 'jwt-alg-es256',
    deviation: 'the tokens are signed ES256, where the sample token says ES512',
    options: { tokenFormat: 'ES256' },
    expectedFailures: ['token.200.access_token.alg'],
    args: ['--strict'],
  },
  {
    name: 'no-active-token-limit',
    deviation: 'the token endpoint issues tokens past the active-token limit',
    // No limit for any account, the tokenLimit account included, which the run holds to 3.
    options: { maxActiveTokens: 0, maxActiveTokensByRole: { tokenLimit: 0 } },
    expectedFailures: ['token.active-token-limit'],
    args: ['--strict'],
  },
  {
    name: 'rate-limit-parameters-disagree',
    deviation: "the live 429 body's parameters state 40 requests more than its words",
    options: { tamper: live429(40) },
    // --accept-drift: the ApiError shape itself is known drift; only the disagreement is a finding.
    expectedFailures: ['revoke.rate-limit.stated', 'token.rate-limit.stated'],
    args: ['--accept-drift'],
  },
  {
    name: 'token-without-client-auth',
    deviation: 'the token endpoint issues a token to a request with no client authentication',
    options: {
      rewrite: (req) =>
        onTokenPath(req) && !req.headers.authorization
          ? { ...req, headers: { ...req.headers, authorization: basicOf('primary') } }
          : req,
    },
    expectedFailures: ['token.error.body', 'token.no-client-auth.rejected', 'token.rfc.error-body'],
  },
  {
    name: 'refresh-token-included',
    deviation: 'client_credentials responses include a refresh_token',
    options: {
      tamper: (res, req) =>
        onTokenPath(req) && res.status === 200
          ? mapPayload(res, req, (body) => ({ ...body, refresh_token: 'r1' }))
          : res,
    },
    expectedFailures: ['token.rfc.no-refresh-token'],
    args: ['--strict'],
  },
  {
    name: 'retry-after-too-short',
    deviation: '429 says Retry-After: 0 while the window is still closed',
    options: {
      tamper: (res) =>
        res.status === 429 ? { ...res, headers: { ...res.headers, 'Retry-After': '0' } } : res,
    },
    expectedFailures: ['revoke.429.retry-after.honest', 'token.429.retry-after.honest'],
  },
  {
    name: 'revoke-repeat-400',
    deviation: 'revoking an already revoked token gets 400',
    options: (() => {
      const revoked = new Set<string>();
      return {
        tamper: (res: MockResponse, req: MockRequestInfo) => {
          if (!onRevokePath(req) || res.status !== 200) return res;
          const token = new URLSearchParams(req.body).get('token') ?? '';
          if (!token.startsWith('eyJ')) return res;
          if (revoked.has(token))
            return {
              ...res,
              status: 400,
              body: { error: 'invalid_request', error_description: 'Already revoked.' },
            };
          revoked.add(token);
          return res;
        },
      };
    })(),
    expectedFailures: ['revoke.repeat.200'],
  },
  {
    name: 'json-body-crashes',
    deviation: 'a JSON body where a form is expected makes the endpoints answer 500',
    options: {
      tamper: (res, req) =>
        (onTokenPath(req) || onRevokePath(req)) &&
        (req.headers['content-type'] ?? '').includes('json')
          ? {
              ...res,
              status: 500,
              body: { error: 'server_error', error_description: 'Unexpected error.' },
            }
          : res,
    },
    expectedFailures: ['revoke.malformed.refused', 'token.malformed.refused'],
    args: ['--fuzz', '15'],
  },
];

/**
 * The live 429 body's `parameters`: `[path, N, minutes]` from the limit its words state (the
 * minutes only when the window is whole minutes); `extra` added to N makes them disagree.
 */
function parametersOf(path: string, description: unknown, extra = 0): unknown[] {
  const limit = typeof description === 'string' ? statedLimitIn(description) : undefined;
  if (!limit) return [path];
  const minutes = limit.windowSeconds % 60 === 0 ? [limit.windowSeconds / 60] : [];
  return [path, limit.requests + extra, ...minutes];
}

/** The live service's 429 body (shared/seeds/README.md), its parameters `extra` off: known drift from the documented one. */
function live429(extra: number): MockOptions['tamper'] {
  return (res, req) =>
    res.status === 429 && isPayload(res.body)
      ? {
          ...res,
          body: {
            detail: res.body.error_description,
            error: 429,
            errorCode: 'RATE_LIMITED',
            parameters: parametersOf(req.path, res.body.error_description, extra),
            reason: 'Too Many Requests',
          },
        }
      : res;
}

/** The live service's 429 body (shared/seeds/README.md): known drift from the documented one. */
export const LIVE_429_DRIFT: MockOptions = { tamper: live429(0) };
