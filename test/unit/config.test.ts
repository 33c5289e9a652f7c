// resolveRunSettings: defaults per target kind, precedence of command line, file and
// environment, and every refusal with its stable error code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConformanceError, type ErrorCode } from '../../src/shared/errors.ts';
import {
  EMBEDDED_RATE_LIMIT,
  parseContainerTarget,
  parseTarget,
  type RunOptions,
  resolveRunSettings,
} from '../../src/suite/config.ts';
import { tokenLimitAccount, tokenLimitSkipReason } from '../../src/suite/sequences/token-limit.ts';
import { testRunContext } from '../support/run-context.ts';

const dir = mkdtempSync(join(tmpdir(), 'oauth-conformance-config-'));
let files = 0;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function configFile(content: unknown): string {
  const path = join(dir, `config-${files++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const PRIMARY = { clientId: 'mdb_sa_id_file', clientSecret: 'mdb_sa_sk_file' };
const ENV = {
  MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_env',
  MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_env',
};

function refusal(options: RunOptions, env: NodeJS.ProcessEnv = {}): ConformanceError {
  try {
    resolveRunSettings(options, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConformanceError);
    return error as ConformanceError;
  }
  throw new Error(`resolveRunSettings accepted ${JSON.stringify(options)}`);
}

function expectRefused(
  options: RunOptions,
  code: ErrorCode,
  message?: string,
  env: NodeJS.ProcessEnv = {},
): void {
  const error = refusal(options, env);
  expect(error.code, error.message).toBe(code);
  if (message) expect(error.message).toContain(message);
}

describe('resolveRunSettings defaults', () => {
  test('resolveRunSettings [no target: embedded mock]', () => {
    const settings = resolveRunSettings({}, {});
    expect(settings).toMatchObject({
      target: undefined,
      profile: 'atlas',
      accounts: {},
      rateLimit: { requests: 10, windowSeconds: 2 },
      tokenLifetimeSeconds: 3600,
      paths: { token: '/api/oauth/token', revoke: '/api/oauth/revoke' },
      resourceProbe: { path: '/api/atlas/v2/', accept: 'application/vnd.atlas.2023-01-01+json' },
      faultHook: true,
      strict: false,
      reportsDir: 'reports',
      timeoutMs: 30_000,
    });
    expect(settings.rateLimit).toEqual(EMBEDDED_RATE_LIMIT);
    expect(Number.isInteger(settings.seed)).toBe(true);
  });

  test('resolveRunSettings [a target: the profile rate limit, no fault hook]', () => {
    const settings = resolveRunSettings({ target: 'https://cloud.mongodb.com/' }, ENV);
    expect(settings).toMatchObject({
      target: 'https://cloud.mongodb.com',
      profile: 'atlas',
      rateLimit: { requests: 10, windowSeconds: 60 },
      tokenLifetimeSeconds: 3600,
      faultHook: false,
    });
  });

  test('resolveRunSettings [rfc6749 with a target: no limit, no lifetime, no probe]', () => {
    const settings = resolveRunSettings({ target: 'https://idp.example', profile: 'rfc6749' }, ENV);
    expect(settings).toMatchObject({
      profile: 'rfc6749',
      rateLimit: null,
      tokenLifetimeSeconds: null,
      resourceProbe: null,
      paths: { token: '/token', revoke: '/token/revocation' },
    });
  });

  test('resolveRunSettings [rfc6749 embedded: the mock serves atlas paths]', () => {
    const settings = resolveRunSettings({ profile: 'rfc6749' }, {});
    expect(settings).toMatchObject({
      profile: 'rfc6749',
      paths: { token: '/api/oauth/token' },
      rateLimit: EMBEDDED_RATE_LIMIT,
      tokenLifetimeSeconds: 3600,
    });
  });

  test('resolveRunSettings [options strict, seed, reports]', () => {
    const settings = resolveRunSettings({ strict: true, seed: '42', reports: 'out' }, {});
    expect(settings).toMatchObject({ strict: true, seed: 42, reportsDir: 'out' });
  });

  test.each(['0', '4294967295'])('resolveRunSettings [--seed %s]', (seed) => {
    expect(resolveRunSettings({ seed }, {}).seed).toBe(Number(seed));
  });
});

describe('resolveRunSettings precedence', () => {
  test('resolveRunSettings [env credentials when the file has none]', () => {
    const config = configFile({ target: 'https://cloud.mongodb.com' });
    const settings = resolveRunSettings({ config }, ENV);
    expect(settings.accounts.primary).toEqual({
      clientId: 'mdb_sa_id_env',
      clientSecret: 'mdb_sa_sk_env',
    });
  });

  test('resolveRunSettings [file credentials win over env]', () => {
    const config = configFile({
      target: 'https://cloud.mongodb.com',
      accounts: { primary: PRIMARY },
    });
    expect(resolveRunSettings({ config }, ENV).accounts.primary).toEqual(PRIMARY);
  });

  test('resolveRunSettings [env with only a client id: not used]', () => {
    const settings = resolveRunSettings({}, { MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_env' });
    expect(settings.accounts.primary).toBeUndefined();
  });

  test('resolveRunSettings [CLI target overrides file]', () => {
    const config = configFile({ target: 'https://file.example', accounts: { primary: PRIMARY } });
    expect(resolveRunSettings({ config, target: 'https://cli.example/prefix/' }, {}).target).toBe(
      'https://cli.example/prefix',
    );
  });

  test('resolveRunSettings [CLI profile overrides file]', () => {
    const config = configFile({ profile: 'rfc6749' });
    expect(resolveRunSettings({ config, profile: 'cloud-manager' }, {}).profile).toBe(
      'cloud-manager',
    );
  });

  test('resolveRunSettings [file values override profile defaults]', () => {
    const config = configFile({
      target: 'https://cloud.mongodb.com',
      accounts: { primary: PRIMARY },
      rateLimit: { requests: 5, windowSeconds: 30 },
      tokenLifetimeSeconds: 600,
      paths: { token: '/oauth2/token' },
      resourceProbe: { path: '/me' },
      faultHook: true,
      timeoutSeconds: 2.5,
    });
    expect(resolveRunSettings({ config }, {})).toMatchObject({
      rateLimit: { requests: 5, windowSeconds: 30 },
      tokenLifetimeSeconds: 600,
      paths: { token: '/oauth2/token', revoke: '/api/oauth/revoke' },
      resourceProbe: { path: '/me', accept: 'application/json' },
      faultHook: true,
      timeoutMs: 2500,
    });
  });

  test('resolveRunSettings [maxActiveTokens: the config sets it, 0 included; absent is null; --check-token-limit is asked for]', () => {
    expect(resolveRunSettings({}, {}).maxActiveTokens).toBeNull();
    const target = { target: 'https://example.test', allowInsecureHttp: false };
    const primary = {
      MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_x',
      MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_0123456789abcdef',
    };
    expect(resolveRunSettings(target, primary).maxActiveTokens).toBeNull();
    expect(resolveRunSettings(target, primary).checkTokenLimit).toBe(false);
    expect(resolveRunSettings({ ...target, checkTokenLimit: true }, primary).checkTokenLimit).toBe(
      true,
    );
    expect(resolveRunSettings({}, {}).checkTokenLimit).toBe(false);
    expect(resolveRunSettings({ config: configFile({ maxActiveTokens: 0 }) }, {})).toMatchObject({
      maxActiveTokens: 0,
    });
    expect(resolveRunSettings({ config: configFile({ maxActiveTokens: 7 }) }, {})).toMatchObject({
      maxActiveTokens: 7,
    });
  });

  test('resolveRunSettings [maxActiveTokensByRole: the embedded tokenLimit account holds 3; a target none unless the config says]', () => {
    expect(resolveRunSettings({}, {}).maxActiveTokensByRole).toEqual({ tokenLimit: 3 });
    const target = { target: 'https://example.test', allowInsecureHttp: false };
    const primary = {
      MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_x',
      MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_0123456789abcdef',
    };
    expect(resolveRunSettings(target, primary).maxActiveTokensByRole).toEqual({});
    const config = configFile({ maxActiveTokensByRole: { tokenLimit: 5, primary: 0 } });
    expect(resolveRunSettings({ config }, {}).maxActiveTokensByRole).toEqual({
      tokenLimit: 5,
      primary: 0,
    });
    expect(resolveRunSettings({ ...target, config }, primary).maxActiveTokensByRole).toEqual({
      tokenLimit: 5,
      primary: 0,
    });
  });

  test('tokenLimitAccount and its skip reason [unasked on an account of its own with a stated limit; else only with --check-token-limit]', () => {
    const accounts = testRunContext().accounts;
    const own = {
      ...accounts,
      tokenLimit: { clientId: 'mdb_sa_id_e', clientSecret: 'mdb_sa_sk_e' },
    };
    // The embedded run: its own account, its limit known.
    const embedded = testRunContext({ accounts: own, maxActiveTokensByRole: { tokenLimit: 3 } });
    expect(tokenLimitAccount(embedded)).toEqual({ role: 'tokenLimit', limit: 3, unasked: true });
    expect(tokenLimitSkipReason(embedded)).toBeUndefined();
    // A target as before: the secondary at the live 100, only when asked.
    const target = testRunContext({ targetKind: 'url' });
    expect(tokenLimitAccount(target)).toEqual({ role: 'secondary', limit: 100, unasked: false });
    expect(tokenLimitSkipReason(target)).toBe(
      'checking the active-token limit costs 101 token requests and the revocation of every token it gets: --check-token-limit spends them',
    );
    expect(tokenLimitSkipReason({ ...target, checkTokenLimit: true })).toBeUndefined();
    // An account of its own without a stated limit: the config's maxActiveTokens, when asked.
    const unstated = testRunContext({ accounts: own, maxActiveTokens: 5 });
    expect(tokenLimitAccount(unstated)).toEqual({ role: 'tokenLimit', limit: 5, unasked: false });
    expect(tokenLimitSkipReason(unstated)).toMatch(/costs 6 token requests/);
    // A limit of 0: nothing to check, asked or not.
    expect(tokenLimitSkipReason({ ...embedded, maxActiveTokensByRole: { tokenLimit: 0 } })).toBe(
      'the config says the tokenLimit account has no active-token limit (maxActiveTokensByRole.tokenLimit 0)',
    );
    expect(tokenLimitSkipReason({ ...target, checkTokenLimit: true, maxActiveTokens: 0 })).toBe(
      'the config says the secondary account has no active-token limit (maxActiveTokens 0)',
    );
  });

  test('resolveRunSettings [resourceProbe null turns the probe off]', () => {
    const config = configFile({ resourceProbe: null });
    expect(resolveRunSettings({ config }, {}).resourceProbe).toBeNull();
  });
});

describe('resolveRunSettings refusals', () => {
  test('resolveRunSettings [unknown profile]', () => {
    expectRefused({ profile: 'okta' }, 'USAGE', 'unknown profile okta');
  });

  test('resolveRunSettings [a target without credentials]', () => {
    expectRefused({ target: 'https://cloud.mongodb.com' }, 'CREDENTIALS_MISSING', 'MONGODB_ATLAS');
  });

  test('resolveRunSettings [config file missing]', () => {
    expectRefused({ config: join(dir, 'absent.json') }, 'CONFIG_UNREADABLE', 'no such file');
  });

  test('resolveRunSettings [config path a directory]', () => {
    expectRefused({ config: dir }, 'CONFIG_UNREADABLE', 'cannot read config file');
  });

  test('resolveRunSettings [config file not JSON]', () => {
    expectRefused({ config: configFile('{ target: https://x }') }, 'CONFIG_INVALID', 'is not JSON');
  });

  test('resolveRunSettings [config file with an unknown key]', () => {
    expectRefused(
      { config: configFile({ taget: 'https://cloud.mongodb.com' }) },
      'CONFIG_INVALID',
      'unknown key "taget"',
    );
  });

  test('resolveRunSettings [config file with a bad value]', () => {
    expectRefused(
      { config: configFile({ tokenLifetimeSeconds: '3600' }) },
      'CONFIG_INVALID',
      '/tokenLifetimeSeconds must be integer',
    );
  });

  // Durations past their maximum would overflow Node's timers (fire at once) and fail every case.
  test.each([
    [{ timeoutSeconds: 9_999_999_999 }, '/timeoutSeconds must be <= 3600'],
    [{ deadlineSeconds: 10 ** 12 }, '/deadlineSeconds must be <= 604800'],
    [{ revocationWaitSeconds: 601 }, '/revocationWaitSeconds must be <= 600'],
    [
      { rateLimit: { requests: 10, windowSeconds: 86_401 } },
      '/rateLimit/windowSeconds must be <= 86400',
    ],
    [{ tokenLifetimeSeconds: 2 ** 40 }, '/tokenLifetimeSeconds must be <= 31622400'],
    [{ maxActiveTokens: -1 }, '/maxActiveTokens must be >= 0'],
    [
      { maxActiveTokensByRole: { tokenLimit: -1 } },
      '/maxActiveTokensByRole/tokenLimit must be >= 0',
    ],
  ])('resolveRunSettings [a duration past its maximum: %j]', (content, message) => {
    expectRefused({ config: configFile(content) }, 'CONFIG_INVALID', message);
  });

  test('resolveRunSettings [a reserved name in tokenRequestParameters, said plainly]', () => {
    expectRefused(
      { config: configFile({ tokenRequestParameters: { grant_type: 'password' } }) },
      'CONFIG_INVALID',
      '/tokenRequestParameters: the name "grant_type" is not allowed here',
    );
  });

  test('resolveRunSettings [config file profile unknown]', () => {
    expectRefused({ config: configFile({ profile: 'okta' }) }, 'CONFIG_INVALID', '/profile');
  });

  test.each([
    ['https://user:pass@cloud.mongodb.com', 'must not carry credentials'],
    ['https://user@cloud.mongodb.com', 'must not carry credentials'],
    ['https://cloud.mongodb.com/?envelope=true', 'without query or fragment'],
    ['https://cloud.mongodb.com/#x', 'without query or fragment'],
    ['http://10.0.0.1:8080', 'plain http'],
    ['ftp://cloud.mongodb.com', 'only http and https'],
    ['cloud.mongodb.com', 'is not a URL'],
  ])('resolveRunSettings [target %s]', (target, message) => {
    expectRefused({ target }, 'TARGET_INVALID', message, ENV);
  });

  test('resolveRunSettings [target with credentials in the config file]', () => {
    const config = configFile({
      target: 'https://u:p@cloud.mongodb.com',
      accounts: { primary: PRIMARY },
    });
    expectRefused({ config }, 'TARGET_INVALID', 'must not carry credentials');
  });

  test('resolveRunSettings [target error does not echo the password]', () => {
    const error = refusal({ target: 'https://user:hunter2hunter2@cloud.mongodb.com' }, ENV);
    expect(error.message).not.toContain('hunter2');
  });

  // Once a bug (src/suite/config.ts parseTarget): without a scheme, `user:pass@host` parses as a URL of scheme
  // "user:", so the credential check never runs and the "only http and https" message echoes the
  // raw target, password included, to stderr (src/cli/cli.ts prints ConformanceError messages as is).
  test('resolveRunSettings [scheme-less user:pass@host, password not echoed]', () => {
    const error = refusal({ target: 'admin:hunter2hunter2@cloud.mongodb.com' }, ENV);
    expect(error.code).toBe('TARGET_INVALID');
    expect(error.message).not.toContain('hunter2');
  });

  // Spellings the WHATWG parser still reads as userinfo (issue 15, item 7): decided on the parsed
  // URL, and no message echoes the raw argument.
  test.each([
    'https:///u:hunter2hunter2@cloud.mongodb.com',
    'https:/\\u:hunter2hunter2@cloud.mongodb.com',
    'https:\\\\u:hunter2hunter2@cloud.mongodb.com',
    'HTTPS://u:hunter2hunter2@cloud.mongodb.com/',
    'https://u:hunter2hunter2@cloud.mongodb.com:notaport',
    'https://u:hunter2hunter2@clo ud.mongodb.com',
    'https://%75:hunter2hunter2@cloud.mongodb.com',
  ])('resolveRunSettings [target %s: refused, password never echoed]', (target) => {
    const error = refusal({ target }, ENV);
    expect(error.code).toBe('TARGET_INVALID');
    expect(error.message).not.toContain('hunter2');
  });

  // Issue 15, item 8: JSON.parse's message quotes the text it chokes on, an unquoted secret too.
  test('resolveRunSettings [a config that is not JSON: line and column, never its text]', () => {
    const error = refusal({
      config: configFile(
        '{\n  "accounts": { "primary": { "clientId": "a", "clientSecret": hunter2hunter2 } }\n}',
      ),
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/is not JSON: line 2, column \d+: invalid symbol$/);
    expect(error.message).not.toContain('hunter2');
  });

  // Issue 15, item 2: a configured secret shorter than 8 is redacted like any other; one shorter
  // than 4 cannot be, and is refused.
  test('resolveRunSettings [a secret of 3 characters is refused]', () => {
    const error = refusal({
      config: configFile({ accounts: { primary: { clientId: 'abc', clientSecret: 'h2o' } } }),
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('clientSecret must NOT have fewer than 4 characters');
    expect(
      refusal({}, { MONGODB_ATLAS_CLIENT_ID: 'abc', MONGODB_ATLAS_CLIENT_SECRET: 'h2o' }).message,
    ).toContain('MONGODB_ATLAS_CLIENT_SECRET has fewer than 4 characters');
  });

  test.each(['abc', '-1', '1.5', '4294967296', '12345678901', ''])(
    'resolveRunSettings [--seed %j]',
    (seed) => {
      expectRefused({ seed }, 'USAGE', '--seed must be a whole number');
    },
  );
});

describe('parseTarget', () => {
  test.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.1.2.3', 'http://127.1.2.3'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://api.localhost', 'http://api.localhost'],
    ['http://[::1]:8080/', 'http://[::1]:8080'],
    ['https://cloud.mongodb.com/', 'https://cloud.mongodb.com'],
    ['https://gw.example/prefix//', 'https://gw.example/prefix'],
  ])('parseTarget [%s allowed]', (raw, expected) => {
    expect(parseTarget(raw)).toBe(expected);
  });

  test.each(['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080'])(
    'resolveRunSettings [loopback http %s allowed]',
    (target) => {
      expect(resolveRunSettings({ target }, ENV).target).toBe(target);
    },
  );

  // Once a bug (src/suite/config.ts parseTarget): an empty query or fragment ("?" or "#" with nothing after)
  // leaves url.search and url.hash empty, so the check passes and href keeps the "?" / "#".
  // src/suite/execute.ts then builds `${target}${path}`, i.e. https://cloud.mongodb.com/?/api/oauth/token,
  // which sends every request to the root with the path in the query.
  test.each(['https://cloud.mongodb.com/?', 'https://cloud.mongodb.com/#'])(
    'parseTarget [%s, empty query or fragment, refused]',
    (raw) => {
      let code: string | undefined;
      try {
        parseTarget(raw);
      } catch (error) {
        code = (error as ConformanceError).code;
      }
      expect(code).toBe('TARGET_INVALID');
    },
  );
});

describe('container targets', () => {
  test('container:IMAGE[:PORT]: the last segment is the port when numeric', () => {
    expect(parseContainerTarget('container:oauth-conformance/reference-mock:local')).toEqual({
      image: 'oauth-conformance/reference-mock:local',
      port: 8080,
    });
    expect(parseContainerTarget('container:reference-mock:local:9000')).toEqual({
      image: 'reference-mock:local',
      port: 9000,
    });
    expect(parseContainerTarget('container:registry.example:5000/mock:v2')).toEqual({
      image: 'registry.example:5000/mock:v2',
      port: 8080,
    });
    expect(parseContainerTarget('container:node:20')).toEqual({ image: 'node', port: 20 });
    expect(() => parseContainerTarget('container:')).toThrow(/expected container:IMAGE\[:PORT\]/);
    expect(() => parseContainerTarget('container:img:70000')).toThrow(/1 to 65535/);
  });

  test('a container is tested like a service: credentials needed, its limits, no fault hook or fuzz by default', () => {
    expect(() => resolveRunSettings({ target: 'container:mock:local' }, {})).toThrow(
      /no primary credentials/,
    );
    const settings = resolveRunSettings({ target: 'container:mock:local' }, ENV);
    expect(settings.target).toBeUndefined();
    expect(settings.container).toEqual({
      image: 'mock:local',
      port: 8080,
      startupTimeoutMs: 60_000,
    });
    expect(settings.faultHook).toBe(false);
    expect(settings.fuzz).toBe(0);
    expect(settings.rateLimit).toEqual({ requests: 10, windowSeconds: 60 });
  });

  test('the config file says how to start it', () => {
    const config = configFile({
      target: 'container:mock:local:8081',
      accounts: { primary: { clientId: 'mdb_sa_id_x', clientSecret: 'mdb_sa_sk_y' } },
      container: { command: ['--port', '8081'], env: { A: 'b' }, startupTimeoutSeconds: 5 },
    });
    expect(resolveRunSettings({ config }, {}).container).toEqual({
      image: 'mock:local',
      port: 8081,
      command: ['--port', '8081'],
      env: { A: 'b' },
      startupTimeoutMs: 5000,
    });
    const bad = configFile({ container: { startupTimeoutSeconds: 0 } });
    expect(() => resolveRunSettings({ config: bad }, {})).toThrow(/startupTimeoutSeconds/);
  });
});

describe('allow lists: per requirement and per case, in a file or the config', () => {
  const until = '2099-12-31';
  const entries = [
    { requirement: 'token.rfc.cache-control', reason: 'release 42', expires: until },
    { requirement: 'token.invalid_client.401 [wrong secret]', reason: 'one case', expires: until },
    { requirement: 'token.error.body [wrong secret]', reason: 'past', expires: '2020-01-01' },
  ];

  test('the config file carries entries inline; a case is split from its requirement id', () => {
    const settings = resolveRunSettings(
      { config: configFile({ allow: entries }) },
      {},
      '2026-11-30',
    );
    expect(settings.allowances).toEqual([
      { requirement: 'token.rfc.cache-control', reason: 'release 42', expires: until },
      {
        requirement: 'token.invalid_client.401',
        case: 'wrong secret',
        reason: 'one case',
        expires: until,
      },
    ]);
    expect(settings.expiredAllowances).toEqual([
      {
        requirement: 'token.error.body',
        case: 'wrong secret',
        reason: 'past',
        expires: '2020-01-01',
      },
    ]);
    expect(settings.allowStale).toBe('fail');
  });

  test('--allow FILE replaces the config list; --allow-stale warn is kept', () => {
    const file = configFile({ allow: [entries[0]] });
    const settings = resolveRunSettings(
      { config: configFile({ allow: entries }), allow: file, allowStale: 'warn' },
      {},
      '2026-11-30',
    );
    expect(settings.allowances.map((entry) => entry.requirement)).toEqual([
      'token.rfc.cache-control',
    ]);
    expect(settings.expiredAllowances).toEqual([]);
    expect(settings.allowStale).toBe('warn');
  });

  test('an unknown case in the config is refused, naming the cases there are', () => {
    const error = refusal({
      config: configFile({
        allow: [{ requirement: 'token.200.status [nope]', reason: 'typo', expires: until }],
      }),
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/: allow: token\.200\.status has no case "nope" \(its cases: \[/);
  });

  test('a malformed entry name is refused by the schema', () => {
    const error = refusal({
      config: configFile({
        allow: [{ requirement: 'token.200.status [a]b]', reason: 'typo', expires: until }],
      }),
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/\/allow\/0\/requirement must match pattern/);
  });
});
