/**
 * The one place that reads configuration: command-line options, the config file
 * (schemas/config.schema.json) and the environment are merged here, once, into typed settings
 * that are passed down. Nothing else reads process.env or a config file.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import {
  type CatalogData,
  getCatalog,
  knownRequirementIds,
  profileCatalog,
  useProfileFolder,
} from '../contract/catalog.ts';
import { validate } from '../contract/schemas.ts';
import { ConformanceError } from '../shared/errors.ts';
import { jsonSyntaxError } from '../shared/json-syntax.ts';
import { MIN_CONFIGURED_SECRET_LENGTH } from '../shared/redact.ts';
import {
  type AccountAssignment,
  type AccountRole,
  type Accounts,
  type ClientCredentialEncoding,
  type ContainerTarget,
  DEFAULT_CONTAINER_PORT,
  DEFAULT_CONTAINER_STARTUP_SECONDS,
  type ProfileName,
  type RateLimit,
  TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS,
} from '../shared/types.ts';
import { isLoopbackAddress } from '../target/target-check.ts';

/**
 * The profile a run names: a built-in one by name, or a folder of its own by path (anything with
 * a `/`, relative to `base`), loaded and cross-checked here. A ConformanceError otherwise
 * (USAGE for an unknown name on the command line, CONFIG_INVALID in a config file or for a
 * folder that does not load), its message starting with `where`.
 */
function profileNamed(value: string, base: string, where: string): ProfileName {
  if (value.includes('/')) {
    try {
      return useProfileFolder(resolve(base, value));
    } catch (error) {
      throw new ConformanceError(
        'CONFIG_INVALID',
        `${where}: ${oneLineOf((error as Error).message)}`,
      );
    }
  }
  try {
    profileCatalog(value);
  } catch (error) {
    throw new ConformanceError(
      where === '--profile' ? 'USAGE' : 'CONFIG_INVALID',
      `${where}: ${oneLineOf((error as Error).message)}`,
    );
  }
  return value;
}

function oneLineOf(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ');
}

/**
 * The embedded mock's limit, counted on the embedded clock ({@link EMBEDDED_SECOND_MS}): on the
 * wire 10 requests every 2 seconds, whole seconds as the contract has them (the 429's
 * Retry-After and its "limited to 10 requests every 2 seconds"); in real time 10 per 0.4 s.
 */
export const EMBEDDED_RATE_LIMIT: RateLimit = { requests: 10, windowSeconds: 2 };
/**
 * How long one second of the embedded mock's rate-limit clock lasts, in ms, when the embedded
 * mock runs with {@link EMBEDDED_RATE_LIMIT} (no limit configured): its windows and the
 * Retry-After of its 429s count in these seconds, and the run, which knows, waits them so. Every
 * testcase runs and judges what it judges against a real target; only this clock is faster, so
 * that `npm start` does not wait out real seconds. A real target's seconds are 1000 ms, and so
 * are the embedded mock's when a config gives it a limit.
 *
 * Not shorter: a burst (the limit's worth and one more) must be answered within one window for
 * its testcases to judge anything, and on a 2-core machine running other work besides (load 12)
 * a burst took over 200 ms; at 100 ms a second those testcases were then not judged.
 */
export const EMBEDDED_SECOND_MS = 200;
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_REVOCATION_WAIT_SECONDS = 5;
export const DEFAULT_DEADLINE_SECONDS = 3600;
/** Token lifetimes up to this many seconds are waited out without --wait-token-expiry. */
export const SHORT_TOKEN_LIFETIME_SECONDS = 120;
/** The live service's active-token limit per service account (seeds README), the mock's default. */
export const DEFAULT_MAX_ACTIVE_TOKENS = 100;

/**
 * The active-token limit a run holds one account to: the config's for that role
 * (`maxActiveTokensByRole`), else the config's `maxActiveTokens`, else the live service's (100).
 */
export function activeTokenLimit(
  run: Pick<RunSettings, 'maxActiveTokens' | 'maxActiveTokensByRole'>,
  role: AccountRole,
): number {
  return run.maxActiveTokensByRole[role] ?? run.maxActiveTokens ?? DEFAULT_MAX_ACTIVE_TOKENS;
}

/** Options of `oauth-conformance run`, as parsed from the command line. */
export interface RunOptions {
  /** Base URL of the target; absent: the embedded reference mock. */
  target?: string;
  profile?: string;
  /** Path of a JSON config file. */
  config?: string;
  /** Directory for the reports (junit.xml, result.json, index.html); default `reports`. */
  reports?: string;
  /** rfc-should and observed findings fail the run instead of warning. */
  strict?: boolean;
  /** Seed for generated values (faker); default random, always printed. */
  seed?: string;
  /** Known drift of the live service from its docs passes, marked drift in the report. */
  acceptDrift?: boolean;
  /** Path of an allow file (schemas/allow.schema.json): expected deviations. */
  allow?: string;
  /** What an allowed entry whose testcases now pass does: `fail` the run (default) or `warn`. */
  allowStale?: string;
  /** Path of a PEM file of CA certificates to trust besides the system's (a private CA). */
  ca?: string;
  /** Send credentials over plain http to a host that is not loopback (never by default). */
  allowInsecureHttp?: boolean;
  /** Generated malformed requests per endpoint (default: {@link EMBEDDED_FUZZ} against the embedded mock, else 0). */
  fuzz?: string;
  /**
   * Wait out a token lifetime longer than {@link SHORT_TOKEN_LIFETIME_SECONDS} to see the token
   * die (token.expiry.enforced); the run's deadline still bounds the wait.
   */
  waitTokenExpiry?: boolean;
  /**
   * Check the active-token limit (token.active-token-limit): it costs the limit and one more
   * token requests, revoked afterwards. Off by default, except where the run knows an account
   * that only this check uses and its limit (the embedded mock's `tokenLimit` account, limit 3).
   */
  checkTokenLimit?: boolean;
}

interface ConfigFile {
  target?: string;
  container?: { command?: string[]; env?: Record<string, string>; startupTimeoutSeconds?: number };
  profile?: ProfileName;
  accounts?: Partial<Accounts>;
  rateLimit?: RateLimit;
  revokeRateLimit?: RateLimit;
  tokenLifetimeSeconds?: number;
  maxActiveTokens?: number;
  maxActiveTokensByRole?: Partial<Record<AccountRole, number>>;
  paths?: { token?: string; revoke?: string };
  resourceProbe?: { path: string; accept?: string } | null;
  clientCredentialEncoding?: ClientCredentialEncoding;
  tokenRequestParameters?: Record<string, string>;
  faultHook?: boolean;
  timeoutSeconds?: number;
  deadlineSeconds?: number;
  revocationWaitSeconds?: number;
  /** Expected deviations inline, as an allow file's `allow` list (--allow FILE replaces them). */
  allow?: AllowEntry[];
}

export type { AccountAssignment, ContainerTarget } from '../shared/types.ts';

/**
 * Everything a run needs to know, resolved. The target is a URL, or undefined for the embedded
 * mock and for a container (whose URL is known once it runs).
 */
export interface RunSettings {
  target: string | undefined;
  container?: ContainerTarget;
  profile: ProfileName;
  accounts: Partial<Accounts>;
  rateLimit: RateLimit | null;
  /** The revoke endpoint's limit, counted apart from the token endpoint's. */
  revokeRateLimit: RateLimit | null;
  /** --accept-drift: a response in a known drift shape passes, marked drift. */
  acceptDrift: boolean;
  /** --allow: expected deviations still in force; a failure of one is reported as allowed. */
  allowances: Allowance[];
  /** --allow entries past their date: each fails the run. */
  expiredAllowances: Allowance[];
  /** --allow-stale: an allowance whose testcases now all pass fails the run, or only warns. */
  allowStale: 'fail' | 'warn';
  tokenLifetimeSeconds: number | null;
  /**
   * Active tokens one service account may hold (the config's `maxActiveTokens`; 0: no limit),
   * which the embedded mock enforces; `null` when the config does not say (the embedded mock
   * then keeps its default, 100, the live service's limit).
   */
  maxActiveTokens: number | null;
  /**
   * Active-token limits of single accounts, by role, in place of {@link RunSettings.maxActiveTokens}
   * (the config's `maxActiveTokensByRole`), which the embedded mock enforces. The embedded mock's
   * `tokenLimit` account has {@link TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS} (3) unless the config says
   * otherwise. A limit stated for the `tokenLimit` account, with that account known, has the run
   * check the limit unasked (src/suite/sequences/token-limit.ts).
   */
  maxActiveTokensByRole: Partial<Record<AccountRole, number>>;
  /**
   * How long one second of the target's rate-limit clock lasts, in ms: rate-limit windows and
   * Retry-After values count in these seconds. 1000, except for the embedded mock with its
   * default limit ({@link EMBEDDED_SECOND_MS}).
   */
  secondMs: number;
  paths: { token: string; revoke: string };
  resourceProbe: { path: string; accept: string } | null;
  faultHook: boolean;
  /** How the suite encodes its own client credentials in HTTP Basic (the profile's, or the config's). */
  clientCredentialEncoding: ClientCredentialEncoding;
  /** True when the config file set the encoding: it is then used throughout, never negotiated. */
  clientCredentialEncodingFixed: boolean;
  /** Extra form parameters of every client_credentials token request meant to succeed (a scope). */
  tokenRequestParameters: Record<string, string>;
  /** `rfc`: requirements are judged at the level their RFC sentence gives (the profile's). */
  requirementLevels: 'documented' | 'rfc';
  strict: boolean;
  seed: number;
  reportsDir: string;
  timeoutMs: number;
  /** How long a revoked token may stay accepted at the probe. */
  revocationWaitMs: number;
  /** The whole run's budget of time; past it nothing more is sent. */
  deadlineMs: number;
  /** PEM certificates to trust besides the system's (--ca). */
  ca?: string;
  /** Generated malformed requests per endpoint (--fuzz N). */
  fuzz: number;
  /** --allow-insecure-http: credentials may go over plain http to a host that is not loopback. */
  allowInsecureHttp: boolean;
  /** --wait-token-expiry: a lifetime past {@link SHORT_TOKEN_LIFETIME_SECONDS} is waited out too. */
  waitTokenExpiry: boolean;
  /** --check-token-limit: the active-token limit is checked. */
  checkTokenLimit: boolean;
}

/** An allow entry as written: `requirement` is `<requirement id>` or `<requirement id> [<case>]`. */
interface AllowEntry {
  requirement: string;
  reason: string;
  expires: string;
}

/**
 * An expected deviation: a requirement, or one case of it (one testcase, named
 * `<requirement id> [<case>]`), allowed to fail until a date (inclusive, UTC).
 */
export interface Allowance {
  requirement: string;
  /** The case title: only the testcase `<requirement> [<case>]` is allowed; absent: every case. */
  case?: string;
  reason: string;
  expires: string;
}

/** `token.x [wrong secret]` -> the id and the case; `token.x` -> the id alone. */
export function parseAllowName(name: string): { requirement: string; case?: string } {
  const match = /^(\S+) \[(.+)\]$/.exec(name);
  return match
    ? { requirement: match[1] as string, case: match[2] as string }
    : { requirement: name };
}

const ALLOW_STALE = ['fail', 'warn'] as const;

function parseAllowStale(raw: string | undefined): 'fail' | 'warn' {
  if (raw === undefined) return 'fail';
  if (!(ALLOW_STALE as readonly string[]).includes(raw))
    throw new ConformanceError('USAGE', `--allow-stale must be fail or warn, not "${raw}"`);
  return raw as 'fail' | 'warn';
}

/** A file the user named, or one clear line saying why it cannot be read. */
function readUserFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (error as Error).message;
    throw new ConformanceError('CONFIG_UNREADABLE', `cannot read ${what} ${path}: ${reason}`);
  }
}

function readJsonFile(path: string, what: string, schema: string): unknown {
  const text = readUserFile(path, what);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const where = jsonSyntaxError(text) ?? 'it does not parse';
    throw new ConformanceError('CONFIG_INVALID', `${what} ${path} is not JSON: ${where}`);
  }
  const result = validate(schema, data);
  if (!result.ok)
    throw new ConformanceError(
      'CONFIG_INVALID',
      `${what} ${path} is invalid: ${result.errors.join('; ')}`,
    );
  return data;
}

/**
 * Allow entries checked against the catalog: every requirement id must be known, and a case must
 * be one of that requirement's cases (its title as testcase names show it). Split by `today`.
 */
function checkAllowEntries(
  entries: readonly AllowEntry[],
  where: string,
  today: string,
): { allowances: Allowance[]; expiredAllowances: Allowance[] } {
  const known = knownRequirementIds();
  // A case title is checked against every profile's cases that carry the requirement.
  const allCases = [...getCatalog().profiles.values()].flatMap((profile) => profile.cases);
  const allowances: Allowance[] = entries.map((entry) => {
    const { requirement, case: title } = parseAllowName(entry.requirement);
    if (!known.has(requirement))
      throw new ConformanceError('CONFIG_INVALID', `${where}: unknown requirement ${requirement}`);
    if (title !== undefined) {
      const titles = [
        ...new Set(
          allCases.filter((c) => c.requirements.includes(requirement)).map((c) => c.title),
        ),
      ];
      if (!titles.includes(title))
        throw new ConformanceError(
          'CONFIG_INVALID',
          `${where}: ${requirement} has no case "${title}" (its cases: ${titles.map((t) => `[${t}]`).join(', ')})`,
        );
    }
    return {
      requirement,
      ...(title === undefined ? {} : { case: title }),
      reason: entry.reason,
      expires: entry.expires,
    };
  });
  return {
    allowances: allowances.filter((entry) => entry.expires >= today),
    expiredAllowances: allowances.filter((entry) => entry.expires < today),
  };
}

/** --allow FILE, else the config file's `allow` list, else none. */
function readAllowances(
  path: string | undefined,
  inline: readonly AllowEntry[] | undefined,
  configPath: string | undefined,
  today: string,
): { allowances: Allowance[]; expiredAllowances: Allowance[] } {
  if (path) {
    const { allow } = readJsonFile(path, 'allow file', 'urn:oauth-conformance:schemas:allow') as {
      allow: AllowEntry[];
    };
    return checkAllowEntries(allow, `allow file ${path}`, today);
  }
  if (inline) return checkAllowEntries(inline, `config file ${configPath}: allow`, today);
  return { allowances: [], expiredAllowances: [] };
}

function readCa(path: string): string {
  const pem = readUserFile(path, 'CA file');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConformanceError('CONFIG_INVALID', `CA file ${path} holds no PEM certificate`);
  }
  return pem;
}

function readConfigFile(path: string): ConfigFile {
  return readJsonFile(path, 'config file', 'urn:oauth-conformance:schemas:config') as ConfigFile;
}

/**
 * The target as an error message may show it: the parsed URL's origin and path, never userinfo,
 * query or fragment; for text that does not parse, nothing past a character that could start
 * userinfo, a query or a fragment (the raw argument may hold a password).
 */
function shown(raw: string, url?: URL): string {
  if (url) return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  // Whatever precedes an @ may be userinfo: only what follows the last one is shown.
  const at = raw.lastIndexOf('@');
  const rest = at < 0 ? raw : `…@${raw.slice(at + 1)}`;
  const cut = rest.search(/[?#]/);
  return JSON.stringify((cut < 0 ? rest : `${rest.slice(0, cut)}…`).slice(0, 100));
}

/**
 * Checks a target URL and returns it without a trailing slash. Decided on the parsed URL (the
 * WHATWG parser reads `https:///u:p@host` and `https:/\\u:p@host` as userinfo too), and errors
 * never echo the raw argument. A plain-http target that is an address must be loopback here; one
 * that is a name is resolved before the run ({@link ensureSafeTransport}).
 */
export function parseTarget(raw: string, allowInsecureHttp = false): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConformanceError(
      'TARGET_INVALID',
      `target ${shown(raw)} is not a URL (expected e.g. https://cloud.mongodb.com)`,
    );
  }
  if (url.username || url.password || /@/.test(raw.split(/[?#]/, 1)[0] ?? '')) {
    throw new ConformanceError(
      'TARGET_INVALID',
      'target URL must not carry credentials; put them in the config file or environment',
    );
  }
  if (url.search || url.hash || /[?#]/.test(raw)) {
    throw new ConformanceError(
      'TARGET_INVALID',
      `target ${shown(raw, url)}: give a base URL without query or fragment`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConformanceError(
      'TARGET_INVALID',
      `target ${shown(raw, url)}: only http and https are supported`,
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:' && isIP(host) && !isLoopbackAddress(host) && !allowInsecureHttp) {
    throw new ConformanceError(
      'TARGET_INVALID',
      `target ${shown(raw, url)}: refusing to send credentials over plain http to a host that is not loopback; use https (or --allow-insecure-http)`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * `container:IMAGE[:PORT]`. The last `:` segment is the port when it is a number, so an image
 * with a numeric tag needs the port spelled out: `container:node:20:8080`.
 */
export function parseContainerTarget(raw: string): Pick<ContainerTarget, 'image' | 'port'> {
  const spec = raw.slice('container:'.length);
  const match = /^(.+):(\d+)$/.exec(spec);
  const image = match?.[1] ?? spec;
  const port = match ? Number(match[2]) : DEFAULT_CONTAINER_PORT;
  if (!/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(image)) {
    throw new ConformanceError(
      'TARGET_INVALID',
      `target ${raw}: expected container:IMAGE[:PORT], e.g. container:oauth-conformance/reference-mock:local:8080`,
    );
  }
  if (port < 1 || port > 65535)
    throw new ConformanceError('TARGET_INVALID', `target ${raw}: the port must be 1 to 65535`);
  return { image, port };
}

/** One of each kind of malformed input against the embedded mock; a real target's budget is the user's to spend. */
const EMBEDDED_FUZZ = 15;

function parseFuzz(raw: string | undefined, embedded: boolean): number {
  if (raw === undefined) return embedded ? EMBEDDED_FUZZ : 0;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) > 1000) {
    throw new ConformanceError(
      'USAGE',
      `--fuzz must be a whole number from 0 to 1000, not "${raw}"`,
    );
  }
  return Number(raw);
}

function parseSeed(raw: string | undefined): number {
  if (raw === undefined) return randomInt(0, 2 ** 31);
  if (!/^\d{1,10}$/.test(raw) || Number(raw) >= 2 ** 32) {
    throw new ConformanceError(
      'USAGE',
      `--seed must be a whole number from 0 to 4294967295, not "${raw}"`,
    );
  }
  return Number(raw);
}

/**
 * Merges options, config file and environment. Precedence: command line, then config file, then
 * environment (MONGODB_ATLAS_CLIENT_ID / MONGODB_ATLAS_CLIENT_SECRET for the primary account),
 * then the profile's defaults.
 */
export function resolveRunSettings(
  options: RunOptions,
  env: NodeJS.ProcessEnv = process.env,
  today: string = new Date().toISOString().slice(0, 10),
): RunSettings {
  const file = options.config ? readConfigFile(options.config) : {};
  const fromFile = options.profile === undefined && file.profile !== undefined && options.config;
  const profileKey = fromFile
    ? profileNamed(file.profile ?? '', dirname(resolve(fromFile)), `config ${fromFile}: /profile`)
    : profileNamed(options.profile ?? 'atlas', '.', '--profile');
  const profile = profileCatalog(profileKey).profile;
  const rawTarget = options.target ?? file.target;
  const container = rawTarget?.startsWith('container:')
    ? {
        ...parseContainerTarget(rawTarget),
        ...(file.container?.command ? { command: file.container.command } : {}),
        ...(file.container?.env ? { env: file.container.env } : {}),
        startupTimeoutMs:
          (file.container?.startupTimeoutSeconds ?? DEFAULT_CONTAINER_STARTUP_SECONDS) * 1000,
      }
    : undefined;
  const target =
    rawTarget === undefined || container
      ? undefined
      : parseTarget(rawTarget, options.allowInsecureHttp ?? false);
  // A container is tested like any service: its own limits, credentials from the user.
  const embedded = target === undefined && container === undefined;

  const accounts: Partial<Accounts> = { ...file.accounts };
  const envSecret = env.MONGODB_ATLAS_CLIENT_SECRET;
  if (
    !accounts.primary &&
    envSecret !== undefined &&
    envSecret.length > 0 &&
    envSecret.length < MIN_CONFIGURED_SECRET_LENGTH
  ) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `MONGODB_ATLAS_CLIENT_SECRET has fewer than ${MIN_CONFIGURED_SECRET_LENGTH} characters: so short a secret cannot be kept out of the reports (every occurrence of its characters would have to go)`,
    );
  }
  if (!accounts.primary && env.MONGODB_ATLAS_CLIENT_ID && env.MONGODB_ATLAS_CLIENT_SECRET) {
    accounts.primary = {
      clientId: env.MONGODB_ATLAS_CLIENT_ID,
      clientSecret: env.MONGODB_ATLAS_CLIENT_SECRET,
    };
  }
  if (!embedded && !accounts.primary) {
    throw new ConformanceError(
      'CREDENTIALS_MISSING',
      'no primary credentials: set accounts.primary in the config file, or MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET',
    );
  }

  // The embedded mock serves the atlas paths and probe whatever profile judges it.
  const served = embedded ? profileCatalog('atlas').profile : profile;
  const probe = file.resourceProbe === undefined ? served.resourceProbe : file.resourceProbe;
  return {
    target,
    ...(container ? { container } : {}),
    profile: profileKey,
    accounts,
    rateLimit: file.rateLimit ?? (embedded ? EMBEDDED_RATE_LIMIT : profile.rateLimit),
    revokeRateLimit:
      file.revokeRateLimit ?? (embedded ? EMBEDDED_RATE_LIMIT : profile.revokeRateLimit),
    secondMs:
      embedded && file.rateLimit === undefined && file.revokeRateLimit === undefined
        ? EMBEDDED_SECOND_MS
        : 1000,
    acceptDrift: options.acceptDrift ?? false,
    ...readAllowances(options.allow, file.allow, options.config, today),
    allowStale: parseAllowStale(options.allowStale),
    tokenLifetimeSeconds:
      file.tokenLifetimeSeconds ??
      profile.tokenLifetimeSeconds ??
      (embedded ? DEFAULT_TOKEN_LIFETIME_SECONDS : null),
    maxActiveTokens: file.maxActiveTokens ?? null,
    maxActiveTokensByRole: {
      ...(embedded ? { tokenLimit: TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS } : {}),
      ...file.maxActiveTokensByRole,
    },
    paths: { ...served.paths, ...file.paths },
    resourceProbe: probe ? { path: probe.path, accept: probe.accept ?? 'application/json' } : null,
    faultHook: file.faultHook ?? embedded,
    // The embedded mock is Atlas: it compares the raw id, whatever profile judges it.
    clientCredentialEncoding: file.clientCredentialEncoding ?? served.clientCredentialEncoding,
    clientCredentialEncodingFixed: file.clientCredentialEncoding !== undefined,
    tokenRequestParameters: { ...profile.tokenRequestParameters, ...file.tokenRequestParameters },
    requirementLevels: profile.requirementLevels,
    strict: options.strict ?? false,
    seed: parseSeed(options.seed),
    reportsDir: options.reports ?? 'reports',
    timeoutMs: (file.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    revocationWaitMs: (file.revocationWaitSeconds ?? DEFAULT_REVOCATION_WAIT_SECONDS) * 1000,
    deadlineMs: (file.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) * 1000,
    fuzz: parseFuzz(options.fuzz, embedded),
    allowInsecureHttp: options.allowInsecureHttp ?? false,
    waitTokenExpiry: options.waitTokenExpiry ?? false,
    checkTokenLimit: options.checkTokenLimit ?? false,
    ...(options.ca ? { ca: readCa(options.ca) } : {}),
  };
}

/** What the suites receive (through vitest's provide/inject): settings with the target resolved. */
export interface RunContext extends Omit<RunSettings, 'target' | 'accounts' | 'reportsDir'> {
  target: string;
  targetKind: 'embedded-mock' | 'url' | 'container';
  accounts: Accounts;
  /** Epoch ms past which nothing more is sent. */
  deadlineAt: number;
  /** Where the worker records what the run spent (requests per key, unplanned 429s) for the CLI. */
  spendFile: string;
  /** Where the worker records the access tokens it saw, for the CLI's last scan of the reports (a private temp dir). */
  tokensFile: string;
  /** Who sends what any ordinary account could send, as the plan chose (src/suite/plan.ts); absent: primary. */
  accountAssignment?: AccountAssignment;
  /** The catalog the CLI loaded and checked, so that the suites' worker need not again (src/contract/catalog.ts). */
  catalog?: CatalogData;
}
