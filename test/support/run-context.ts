// A complete run context for unit tests of checks and plans, overridable per test.
import type { RunContext } from '../../src/config.ts';

export function testRunContext(overrides: Partial<RunContext> = {}): RunContext {
  return {
    target: 'http://127.0.0.1:1',
    targetKind: 'embedded-mock',
    profile: 'atlas',
    accounts: {
      primary: { clientId: 'mdb_sa_id_a', clientSecret: 'mdb_sa_sk_a' },
      secondary: { clientId: 'mdb_sa_id_b', clientSecret: 'mdb_sa_sk_b' },
      accessDenied: { clientId: 'mdb_sa_id_c', clientSecret: 'mdb_sa_sk_c' },
      invalidGrant: { clientId: 'mdb_sa_id_d', clientSecret: 'mdb_sa_sk_d' },
    },
    rateLimit: { requests: 10, windowSeconds: 60 },
    revokeRateLimit: { requests: 10, windowSeconds: 60 },
    acceptDrift: false,
    spendFile: '/dev/null',
    tokensFile: '/dev/null',
    allowances: [],
    expiredAllowances: [],
    tokenLifetimeSeconds: 3600,
    maxActiveTokens: null,
    secondMs: 1000,
    paths: { token: '/api/oauth/token', revoke: '/api/oauth/revoke' },
    resourceProbe: { path: '/api/atlas/v2/', accept: 'application/json' },
    faultHook: true,
    clientCredentialEncoding: 'raw',
    clientCredentialEncodingFixed: false,
    tokenRequestParameters: {},
    requirementLevels: 'documented',
    strict: false,
    seed: 1,
    timeoutMs: 30_000,
    revocationWaitMs: 5_000,
    deadlineMs: 3_600_000,
    fuzz: 0,
    allowInsecureHttp: false,
    waitTokenExpiry: false,
    checkTokenLimit: false,
    deadlineAt: Date.now() + 3_600_000,
    ...overrides,
  };
}
