/** Everything one running mock shares between its endpoints. */

import type { Redactor } from '../shared/redact.ts';
import type { AccountRole, Accounts, RateLimit } from '../shared/types.ts';
import type { FaultQueue } from './faults.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { ServiceIdentity } from './responses.ts';
import type { TokenStore } from './token-store.ts';

export interface MockContext {
  identity: ServiceIdentity;
  accounts: Required<Accounts>;
  tokens: TokenStore;
  rateLimit: RateLimit;
  rateLimiter: RateLimiter;
  /** The revocation endpoint's own limit and counter. */
  revokeRateLimit: RateLimit;
  revokeRateLimiter: RateLimiter;
  tokenLifetimeSeconds: number;
  /** Active tokens per account past which the token endpoint answers 403; 0: no limit. */
  maxActiveTokens: number;
  /** Limits of single accounts in place of maxActiveTokens (MockOptions.maxActiveTokensByRole). */
  maxActiveTokensByRole: Partial<Record<AccountRole, number>>;
  faults: FaultQueue;
  /** Knows every account secret and every issued token. */
  redactor: Redactor;
}
