/**
 * `oauth-conformance mock`: the reference mock as a long-running server, until SIGINT or SIGTERM.
 * Also the entry point of the container image (src/mock/main.ts), so it imports nothing beyond
 * the mock itself.
 */
import { isIPv4 } from 'node:net';
import { parseFlags, wholeNumber } from '../args.ts';
import { ConformanceError } from '../errors.ts';
import { ACCOUNT_ROLES, type RateLimit } from '../types.ts';
import { DURATION_LIMITS } from '../waits.ts';
import {
  DEFAULT_MAX_ACTIVE_TOKENS,
  type MockHandle,
  startMock,
  TOKEN_FORMATS,
  type TokenFormat,
} from './index.ts';

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
  // The first line is what a container's readiness check can wait for.
  io.out(`reference mock listening on ${mock.url}`);
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
      ? `  limit     ${maxActiveTokens} active tokens per account, then 403 access_denied (--max-active-tokens)`
      : '  limit     no active-token limit (--max-active-tokens 0)',
  );
  for (const role of ACCOUNT_ROLES) {
    const account = mock.accounts[role];
    const secret = values['show-secrets']
      ? account.clientSecret
      : '(secret hidden; --show-secrets prints it)';
    io.out(`  ${role.padEnd(13)} ${account.clientId} ${secret}`);
  }
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
