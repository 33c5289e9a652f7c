/**
 * The reference mock: an in-process HTTP server that is the documented contract of MongoDB
 * Atlas's Service Account token endpoint (`POST /api/oauth/token`) and token revocation endpoint
 * (`POST /api/oauth/revoke`, RFC 7009), plus a resource probe (`GET /api/atlas/v2/` and its
 * aliases, `PROBE_ALIASES`) and the fault-injection hook (docs/fault-hook.md).
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { createAccountsRedactor } from '../shared/redact.ts';
import {
  ACCOUNT_ROLES,
  type AccountRole,
  type FaultSpec,
  TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS,
} from '../shared/types.ts';
import { randomClientSecret, resolveAccounts, roleOf } from './accounts.ts';
import type { MockContext } from './context.ts';
import { createFaultQueue, parseFault, QUEUE_FULL } from './faults.ts';
import { createJournal } from './journal.ts';
import { createRateLimiter } from './rate-limit.ts';
import { newServiceIdentity } from './responses.ts';
import { createConnectionLog, createRequestListener } from './server.ts';
import { createTokenSigner } from './sign-pool.ts';
import { createTokenStore } from './token-store.ts';
import { createSigningKey, TOKEN_FORMATS } from './tokens.ts';
import type { MockHandle, MockOptions } from './types.ts';

export { CLIENT_ID_PATTERN, CLIENT_SECRET_PATTERN, generateAccounts } from './accounts.ts';
export { FAULT_HOOK_PATH } from './faults.ts';
export { isProbePath, PROBE_ALIASES, PROBE_PATH } from './probe.ts';
export { OAUTH_ERRORS, type OAuthErrorCode } from './responses.ts';
export { REVOKE_PATH } from './revoke-endpoint.ts';
export { preciseNow } from './server.ts';
export { TOKEN_PATH } from './token-endpoint.ts';
export type { TokenStore } from './token-store.ts';
export { TOKEN_FORMATS, type TokenFormat } from './tokens.ts';
export type {
  JournalEntry,
  MockHandle,
  MockOptions,
  MockRequestInfo,
  MockResponse,
  ObservedConnection,
  ObservedExchange,
} from './types.ts';

const MAX_LATENCY_MS = 10_000;

/** The live service's active-token limit per service account (newer Atlas docs: at most 100). */
export const DEFAULT_MAX_ACTIVE_TOKENS = 100;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`mock option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function baseUrl(address: AddressInfo): string {
  let host = address.address;
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/**
 * Starts a mock serving `POST /api/oauth/token`, `POST /api/oauth/revoke`, `GET /api/atlas/v2/`
 * (and its aliases, `PROBE_ALIASES`) and (unless `faultHook` is false) `/__conformance/faults`.
 * Throws a `TypeError` for an invalid option.
 */
export async function startMock(options: MockOptions = {}): Promise<MockHandle> {
  const rateLimit = options.rateLimit ?? { requests: 10, windowSeconds: 60 };
  positiveInteger('rateLimit.requests', rateLimit.requests);
  positiveInteger('rateLimit.windowSeconds', rateLimit.windowSeconds);
  const revokeRateLimit = options.revokeRateLimit ?? rateLimit;
  positiveInteger('revokeRateLimit.requests', revokeRateLimit.requests);
  positiveInteger('revokeRateLimit.windowSeconds', revokeRateLimit.windowSeconds);
  const tokenLifetimeSeconds = positiveInteger(
    'tokenLifetimeSeconds',
    options.tokenLifetimeSeconds ?? 3600,
  );
  const maxActiveTokens = options.maxActiveTokens ?? DEFAULT_MAX_ACTIVE_TOKENS;
  if (!Number.isInteger(maxActiveTokens) || maxActiveTokens < 0) {
    throw new TypeError(
      `mock option maxActiveTokens must be a non-negative integer (0: no limit), got ${maxActiveTokens}`,
    );
  }
  const maxActiveTokensByRole: Partial<Record<AccountRole, number>> = {
    tokenLimit: TOKEN_LIMIT_ACCOUNT_MAX_ACTIVE_TOKENS,
    ...options.maxActiveTokensByRole,
  };
  for (const [role, limit] of Object.entries(maxActiveTokensByRole)) {
    if (!(ACCOUNT_ROLES as readonly string[]).includes(role))
      throw new TypeError(
        `mock option maxActiveTokensByRole: unknown role ${JSON.stringify(role.slice(0, 40))} (roles: ${ACCOUNT_ROLES.join(', ')})`,
      );
    if (!Number.isInteger(limit) || (limit as number) < 0)
      throw new TypeError(
        `mock option maxActiveTokensByRole.${role} must be a non-negative integer (0: no limit), got ${limit}`,
      );
  }
  const secondMs = options.secondMs ?? 1000;
  if (!Number.isInteger(secondMs) || secondMs < 1 || secondMs > 1000) {
    throw new TypeError(`mock option secondMs must be an integer from 1 to 1000, got ${secondMs}`);
  }
  const journalLimit = options.journalLimit ?? 1000;
  if (!Number.isInteger(journalLimit) || journalLimit < 0) {
    throw new TypeError(`mock option journalLimit must be a non-negative integer`);
  }
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > MAX_LATENCY_MS) {
    throw new TypeError(`mock option latencyMs must be an integer from 0 to ${MAX_LATENCY_MS}`);
  }
  const accounts = resolveAccounts(options.seed ?? 1, options.accounts);

  const redactor = createAccountsRedactor(accounts);

  const tokenFormat = options.tokenFormat ?? 'ES512';
  if (!TOKEN_FORMATS.includes(tokenFormat)) {
    throw new TypeError(
      `mock option tokenFormat must be one of ${TOKEN_FORMATS.join(', ')}, got ${tokenFormat}`,
    );
  }
  const signingThreads = options.signingThreads ?? availableParallelism();
  if (!Number.isInteger(signingThreads) || signingThreads < 0 || signingThreads > 256) {
    throw new TypeError(`mock option signingThreads must be an integer from 0 to 256`);
  }
  // The key is generated on libuv's pool while the server starts listening.
  const keyReady = tokenFormat === 'opaque' ? Promise.resolve(null) : createSigningKey(tokenFormat);

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = baseUrl(server.address() as AddressInfo);

  const key = await keyReady;
  const signer = key ? createTokenSigner(key, signingThreads) : undefined;
  const ctx: MockContext = {
    identity: newServiceIdentity(),
    accounts,
    tokens: createTokenStore({
      key,
      issuer: url,
      lifetimeSeconds: tokenLifetimeSeconds,
      ...(signer ? { signer } : {}),
    }),
    rateLimit,
    rateLimiter: createRateLimiter(rateLimit, accounts, { secondMs }),
    revokeRateLimit,
    revokeRateLimiter: createRateLimiter(revokeRateLimit, accounts, { secondMs }),
    tokenLifetimeSeconds,
    maxActiveTokens,
    maxActiveTokensByRole,
    faults: createFaultQueue(),
    redactor,
  };
  const journal = createJournal(journalLimit, redactor);
  server.on(
    'request',
    createRequestListener(
      ctx,
      {
        faultHook: options.faultHook ?? true,
        tamper: options.tamper,
        rewrite: options.rewrite,
        observe: options.observe,
        latencyMs,
        journal,
      },
      options.observe ? createConnectionLog(server) : undefined,
    ),
  );

  return {
    url,
    accounts,
    ...(key ? { publicJwk: key.publicJwk } : {}),
    tokenFormat,
    journal: () => journal.entries(),
    injectFault(spec: FaultSpec) {
      const fault = parseFault(spec);
      if (typeof fault === 'string') throw new TypeError(`invalid fault: ${fault}`);
      if (!ctx.faults.add(fault)) throw new RangeError(QUEUE_FULL);
    },
    clearFaults: () => ctx.faults.clear(),
    revokeTokens: (clientId: string) => ctx.tokens.revokeAll(clientId),
    rotateSecret(clientId: string) {
      const role = roleOf(accounts, clientId);
      if (!role) throw new TypeError('rotateSecret: no account has this client id');
      const clientSecret = randomClientSecret();
      accounts[role] = { clientId, clientSecret };
      redactor.addCredentials(clientId, clientSecret);
      return clientSecret;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        void signer?.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
