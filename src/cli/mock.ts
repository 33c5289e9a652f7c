/**
 * `oauth-conformance mock`: the reference mock as a long-running server, until SIGINT or SIGTERM.
 * Also the entry point of the container image (src/cli/mock-main.ts), so it imports nothing beyond
 * the mock itself.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import {
  DEFAULT_MAX_ACTIVE_TOKENS,
  type MockHandle,
  REVOKE_PATH,
  startMock,
  TOKEN_FORMATS,
  TOKEN_PATH,
  type TokenFormat,
} from '../mock/index.ts';
import { ConformanceError, classifyError } from '../shared/errors.ts';
import {
  ACCOUNT_ROLES,
  type RateLimit,
  TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS,
} from '../shared/types.ts';
import { DURATION_LIMITS } from '../target/waits.ts';
import { parseFlags, wholeNumber } from './args.ts';

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The most requests a window may allow (as the config file's rateLimit.requests). */
const MAX_REQUESTS = 100_000;

/** The largest --max-active-tokens (as the config file's maxActiveTokens). */
export const MAX_ACTIVE_TOKENS = 1_000_000;

/** `10/60`: 10 requests per 60 s. */
function rateLimit(flag: string, raw: string | undefined): RateLimit | undefined {
  if (raw === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  const requests = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (
    !match ||
    requests < 1 ||
    requests > MAX_REQUESTS ||
    windowSeconds < 1 ||
    windowSeconds > DURATION_LIMITS.windowSeconds
  )
    throw new ConformanceError(
      'USAGE',
      `${flag} must be REQUESTS/SECONDS (1 to ${MAX_REQUESTS} requests, 1 to ${DURATION_LIMITS.windowSeconds} s), e.g. 10/60, not "${raw}"`,
    );
  return { requests, windowSeconds };
}

/** Whether `host` is surely loopback: `localhost`, 127.0.0.0/8 or ::1 (anything else may be shared). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIPv4(v4) && v4.startsWith('127.');
}

/** The live service's limit, the mock's default (startMock). */
const DEFAULT_RATE_LIMIT: RateLimit = { requests: 10, windowSeconds: 60 };

/**
 * Writes a config for `oauth-conformance run --config FILE` against this mock (config.schema.json):
 * its URL as the target, every account with its secret, its limits, lifetime and fault hook, and
 * the paths. Created with mode 600, since it holds the secrets; an existing file is replaced.
 */
function writeRunConfig(
  file: string,
  mock: MockHandle,
  settings: {
    rateLimit: RateLimit;
    revokeRateLimit: RateLimit;
    tokenLifetimeSeconds: number;
    maxActiveTokens: number;
    faultHook: boolean;
  },
): void {
  const config = {
    target: mock.url,
    profile: 'atlas',
    accounts: mock.accounts,
    ...settings,
    // What the mock holds its tokenLimit account to: a run told so checks the limit unasked.
    maxActiveTokensByRole: { tokenLimit: TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS },
    paths: { token: TOKEN_PATH, revoke: REVOKE_PATH },
  };
  // A new file, so that the mode holds (an existing file would keep its own).
  rmSync(file, { force: true });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}

export async function mockCommand(args: string[], io: CommandIo): Promise<number> {
  const values: Record<string, string | boolean | undefined> = parseFlags(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    seed: { type: 'string' },
    'rate-limit': { type: 'string' },
    'revoke-rate-limit': { type: 'string' },
    'token-lifetime': { type: 'string' },
    'show-secrets': { type: 'boolean' },
    'no-fault-hook': { type: 'boolean' },
    'token-format': { type: 'string' },
    'max-active-tokens': { type: 'string' },
    'print-config': { type: 'string' },
  });
  const str = (name: string) => values[name] as string | undefined;
  const host = str('host') ?? '127.0.0.1';
  const port = wholeNumber('--port', str('port'), 0, 0, 65535);
  const seed = wholeNumber('--seed', str('seed'), 1, 0);
  const limit = rateLimit('--rate-limit', str('rate-limit'));
  const revokeLimit = rateLimit('--revoke-rate-limit', str('revoke-rate-limit'));
  const lifetime = str('token-lifetime');
  const maxActiveTokens = wholeNumber(
    '--max-active-tokens',
    str('max-active-tokens'),
    DEFAULT_MAX_ACTIVE_TOKENS,
    0,
    MAX_ACTIVE_TOKENS,
  );
  const faultHook = !values['no-fault-hook'];
  const tokenFormat = str('token-format') ?? 'ES512';
  if (!TOKEN_FORMATS.includes(tokenFormat as TokenFormat)) {
    throw new ConformanceError(
      'USAGE',
      `--token-format must be one of ${TOKEN_FORMATS.join(', ')}, not "${tokenFormat}"`,
    );
  }
  let mock: MockHandle;
  try {
    mock = await startMock({
      host,
      port,
      seed,
      faultHook,
      tokenFormat: tokenFormat as TokenFormat,
      maxActiveTokens,
      ...(limit ? { rateLimit: limit } : {}),
      ...(revokeLimit ? { revokeRateLimit: revokeLimit } : {}),
      ...(lifetime === undefined
        ? {}
        : {
            tokenLifetimeSeconds: wholeNumber(
              '--token-lifetime',
              lifetime,
              3600,
              1,
              DURATION_LIMITS.tokenLifetimeSeconds,
            ),
          }),
    });
  } catch (error) {
    if (error instanceof ConformanceError) throw error;
    throw new ConformanceError(
      'USAGE',
      `cannot listen on ${host} port ${port}: ${(error as Error).message}`,
    );
  }
  const printConfig = str('print-config');
  if (printConfig !== undefined) {
    try {
      writeRunConfig(printConfig, mock, {
        rateLimit: limit ?? DEFAULT_RATE_LIMIT,
        revokeRateLimit: revokeLimit ?? limit ?? DEFAULT_RATE_LIMIT,
        tokenLifetimeSeconds: lifetime === undefined ? 3600 : Number(lifetime),
        maxActiveTokens,
        faultHook,
      });
    } catch (error) {
      await mock.close();
      const known = classifyError(error);
      throw new ConformanceError(
        known.code === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'USAGE',
        `--print-config ${printConfig}: cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
  const shownLimit = limit ?? DEFAULT_RATE_LIMIT;
  const shownRevokeLimit = revokeLimit ?? shownLimit;
  // The first line is what a container's readiness check can wait for.
  io.out(`reference mock listening on ${mock.url}`);
  io.out(`  seed      ${seed} (--seed ${seed} gives the same accounts)`);
  io.out(
    `  limits    token ${shownLimit.requests} per ${shownLimit.windowSeconds} s, revoke ${shownRevokeLimit.requests} per ${shownRevokeLimit.windowSeconds} s, for each client id`,
  );
  io.out(`  lifetime  ${lifetime === undefined ? 3600 : Number(lifetime)} s (expires_in)`);
  io.out(`  token     POST ${mock.url}/api/oauth/token`);
  io.out(`  revoke    POST ${mock.url}/api/oauth/revoke`);
  io.out(`  probe     GET  ${mock.url}/api/atlas/v2/`);
  io.out(
    faultHook
      ? `  faults    POST ${mock.url}/__conformance/faults (docs/fault-hook.md)`
      : '  faults    off (--no-fault-hook)',
  );
  io.out(
    tokenFormat === 'ES512'
      ? '  tokens    ES512 JWTs (P-521), as the docs show'
      : `  tokens    ${tokenFormat === 'opaque' ? 'opaque strings' : `${tokenFormat} JWTs`}, for load tests: the docs' sample token is an ES512 JWT`,
  );
  io.out(
    maxActiveTokens > 0
      ? `  limit     ${maxActiveTokens} active tokens per account (the tokenLimit account: ${TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS}), then 403 access_denied (--max-active-tokens)`
      : `  limit     no active-token limit (--max-active-tokens 0), but for the tokenLimit account's ${TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS}`,
  );
  for (const role of ACCOUNT_ROLES) {
    const account = mock.accounts[role];
    const secret = values['show-secrets']
      ? account.clientSecret
      : '(secret hidden; --show-secrets prints it)';
    io.out(`  ${role.padEnd(13)} ${account.clientId} ${secret}`);
  }
  if (printConfig !== undefined)
    io.out(
      `  config    ${printConfig} (secrets included, mode 600): oauth-conformance run --config ${printConfig}`,
    );
  if (faultHook && !isLoopbackHost(host)) {
    io.err(
      `warning: the fault hook is on and the mock listens on ${host}: whoever reaches it can make it fail; on a shared network use --no-fault-hook (docs/fault-hook.md)`,
    );
  }
  io.out('press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await mock.close();
  return 0;
}
