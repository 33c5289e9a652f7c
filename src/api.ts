/**
 * The reference mock for other projects' tests (vitest, jest, mocha, node:test alike): start it in
 * process or in a container, get its base URL and accounts, stop it. `import { startReferenceMock }
 * from 'oauth-conformance'` (dist/src/api.js, built by `npm run build`).
 */

import { generateAccounts, type MockOptions, startMock, type TokenFormat } from './mock/index.ts';
import {
  type Accounts,
  DEFAULT_CONTAINER_PORT,
  DEFAULT_CONTAINER_STARTUP_SECONDS,
  type RateLimit,
} from './shared/types.ts';
import { loadContainerSupport } from './target/optional-deps.ts';

export type { JournalEntry, MockHandle, MockOptions, TokenFormat } from './mock/index.ts';
export { generateAccounts, startMock } from './mock/index.ts';
export type { Accounts, FaultSpec, RateLimit } from './shared/types.ts';

/** The image `startReferenceMock({ container: true })` runs: built by `npm run build:image` (Dockerfile). */
export const DEFAULT_REFERENCE_IMAGE = 'oauth-conformance/reference-mock:local';

/** How {@link startReferenceMock} starts the mock; every field is optional. */
export interface ReferenceMockOptions {
  /** Seeds the generated accounts (the same seed gives the same accounts). Default `1`. */
  seed?: number;
  /** Rate limit of each endpoint. Default `{ requests: 10, windowSeconds: 60 }`, the live service's. */
  rateLimit?: RateLimit;
  /** `expires_in` of issued tokens. Default `3600`. */
  tokenLifetimeSeconds?: number;
  /**
   * Active (unexpired, unrevoked) tokens one service account may hold; past it the token endpoint
   * answers 403 `access_denied` "Access Token limit reached for the service account.". Default
   * `100`, the live service's limit; `0` turns the limit off. The `tokenLimit` account holds 3
   * whatever this says (MockOptions.maxActiveTokensByRole, which `startMock` takes).
   */
  maxActiveTokens?: number;
  /**
   * Serve the fault-injection hook `/__conformance/faults` (docs/fault-hook.md). Default `true`.
   * `false` where anyone but the test run can reach the mock (a container on a shared network).
   */
  faultHook?: boolean;
  /**
   * What access tokens are: `ES512` JWTs (default, as the docs show), or for load tests of
   * clients and gateways `ES256`, `EdDSA` or `opaque` (see MockOptions.tokenFormat).
   */
  tokenFormat?: TokenFormat;
  /**
   * Run the mock in a container (testcontainers; needs a container engine) instead of in this
   * process: `true` for the reference image built by `npm run build:image`, or the image to run.
   */
  container?: boolean | { image?: string; startupTimeoutSeconds?: number };
}

/** A running reference mock, as {@link startReferenceMock} returns it. */
export interface ReferenceMock {
  /** Base URL, e.g. `http://127.0.0.1:41234`: `POST /api/oauth/token`, `POST /api/oauth/revoke`, `GET /api/atlas/v2/`, `/__conformance/faults` (unless `faultHook` is false). */
  url: string;
  /** The five accounts (primary, secondary, accessDenied, invalidGrant, tokenLimit), secrets included. */
  accounts: Required<Accounts>;
  /** `in-process` or `container`. */
  kind: 'in-process' | 'container';
  /** Stops the mock (and removes its container). */
  stop(): Promise<void>;
}

/**
 * Starts the reference mock, the Atlas token service as its documentation describes it (the atlas
 * profile: specs/profiles/atlas), in this process or in a container, with five generated
 * accounts. Resolves once it answers on its URL.
 *
 * @param options - seed, rate limit (requests per window of whole seconds), token lifetime
 *   (seconds), fault hook, token format, container; see {@link ReferenceMockOptions}.
 * @returns its base URL, accounts (secrets included: keep them out of logs) and `stop()`.
 * @throws TypeError for an invalid option (in process); an Error when the container engine or
 *   the image is missing, or the container does not answer HTTP within `startupTimeoutSeconds`
 *   (default 60).
 */
export async function startReferenceMock(
  options: ReferenceMockOptions = {},
): Promise<ReferenceMock> {
  const seed = options.seed ?? 1;
  if (!options.container) {
    const mockOptions: MockOptions = { seed, faultHook: options.faultHook ?? true };
    if (options.tokenFormat) mockOptions.tokenFormat = options.tokenFormat;
    if (options.rateLimit) mockOptions.rateLimit = options.rateLimit;
    if (options.tokenLifetimeSeconds)
      mockOptions.tokenLifetimeSeconds = options.tokenLifetimeSeconds;
    if (options.maxActiveTokens !== undefined)
      mockOptions.maxActiveTokens = options.maxActiveTokens;
    const mock = await startMock(mockOptions);
    return { url: mock.url, accounts: mock.accounts, kind: 'in-process', stop: () => mock.close() };
  }
  const { startContainer } = await loadContainerSupport();
  const settings = options.container === true ? {} : options.container;
  const port = DEFAULT_CONTAINER_PORT;
  const command = ['--host', '0.0.0.0', '--port', String(port), '--seed', String(seed)];
  if (options.rateLimit)
    command.push(
      '--rate-limit',
      `${options.rateLimit.requests}/${options.rateLimit.windowSeconds}`,
    );
  if (options.tokenLifetimeSeconds)
    command.push('--token-lifetime', String(options.tokenLifetimeSeconds));
  if (options.faultHook === false) command.push('--no-fault-hook');
  if (options.maxActiveTokens !== undefined)
    command.push('--max-active-tokens', String(options.maxActiveTokens));
  if (options.tokenFormat) command.push('--token-format', options.tokenFormat);
  const started = await startContainer({
    image: settings.image ?? DEFAULT_REFERENCE_IMAGE,
    port,
    command,
    startupTimeoutMs: (settings.startupTimeoutSeconds ?? DEFAULT_CONTAINER_STARTUP_SECONDS) * 1000,
  });
  // The image generates its accounts from the seed exactly as this process would.
  return {
    url: started.url,
    accounts: generateAccounts(seed),
    kind: 'container',
    stop: () => started.stop(),
  };
}
