/**
 * The active-token limit (token.active-token-limit): one account is given tokens until the
 * target refuses one or the limit and one more were asked for, then every token it got is
 * revoked. It runs first in the run, before any other case holds a token of that account, so
 * against a fresh target (the embedded mock) the count is exact. The account is the one only this
 * check uses (`tokenLimit`) when the run knows it, else the one whose token the expiry watch uses.
 */

import type { Case } from '../../contract/catalog.ts';
import { CaseSetupError } from '../../shared/errors.ts';
import { basicCredentials } from '../../shared/redact.ts';
import type { AccountRole } from '../../shared/types.ts';
import type { Exchange } from '../../target/http.ts';
import { parseJson } from '../../target/http.ts';
import { expiryRole } from '../assignment.ts';
import type { TokenLimitFacts } from '../checks/facts.ts';
import type { CaseResult } from '../checks/index.ts';
import { activeTokenLimit, type RunContext } from '../config.ts';
import { requestToken, sendPaced } from '../execute.ts';
import type { Session } from '../session.ts';
import type { StartedSequence } from './expiry.ts';

export type { TokenLimitFacts } from '../checks/facts.ts';

/** The account the limit check fills, the limit it holds it to, and whether it runs unasked. */
export interface TokenLimitAccount {
  role: Extract<AccountRole, 'primary' | 'secondary' | 'tokenLimit'>;
  limit: number;
  /**
   * The account is one that only this check uses and the run knows its limit (the config's
   * `maxActiveTokensByRole.tokenLimit`, or the embedded mock's): checked without --check-token-limit.
   */
  unasked: boolean;
}

/** Which account the limit check fills and to what limit (see {@link TokenLimitAccount}). */
export function tokenLimitAccount(
  run: Pick<RunContext, 'accounts' | 'maxActiveTokens' | 'maxActiveTokensByRole'>,
): TokenLimitAccount {
  const role = run.accounts.tokenLimit ? 'tokenLimit' : expiryRole(run);
  return {
    role,
    limit: activeTokenLimit(run, role),
    unasked: role === 'tokenLimit' && run.maxActiveTokensByRole.tokenLimit !== undefined,
  };
}

/** Why the limit is not checked in this run, or undefined when it is. */
export function tokenLimitSkipReason(
  run: Pick<
    Session['run'],
    'accounts' | 'checkTokenLimit' | 'maxActiveTokens' | 'maxActiveTokensByRole'
  >,
): string | undefined {
  const { role, limit, unasked } = tokenLimitAccount(run);
  if (limit === 0)
    return `the config says the ${role} account has no active-token limit (${run.maxActiveTokensByRole[role] === 0 ? `maxActiveTokensByRole.${role}` : 'maxActiveTokens'} 0)`;
  if (!unasked && !run.checkTokenLimit) {
    return `checking the active-token limit costs ${limit + 1} token requests and the revocation of every token it gets: --check-token-limit spends them`;
  }
  return undefined;
}

function refusalOf(exchange: Exchange): TokenLimitFacts['refusal'] {
  const response = exchange.response;
  if (!response) return undefined;
  const json = parseJson(response.body);
  const body = json.ok ? (json.value as Record<string, unknown> | null) : null;
  const error = typeof body?.error === 'string' ? body.error : undefined;
  const description =
    typeof body?.error_description === 'string' ? body.error_description.slice(0, 200) : undefined;
  return {
    status: response.status,
    ...(error === undefined ? {} : { error }),
    ...(description === undefined ? {} : { description }),
  };
}

async function fillAndEmpty(session: Session): Promise<CaseResult> {
  const { run } = session;
  const notes: string[] = [];
  const { role, limit } = tokenLimitAccount(run);
  const account = run.accounts[role];
  if (!account) throw new CaseSetupError(`no ${role} account is configured`);
  const tokens: string[] = [];
  let refused: Exchange | undefined;
  let first: Exchange | undefined;
  let sent = 0;
  while (sent < limit + 1 && Date.now() < run.deadlineAt) {
    const { token, exchange } = await requestToken(session, notes, role);
    sent += 1;
    first ??= exchange;
    if (token) {
      tokens.push(token);
      continue;
    }
    refused = exchange;
    break;
  }
  if (!first)
    throw new CaseSetupError('the run reached its deadline before the first token request');
  // Revoke every token it got, so that the account is as it was (paced like any revocation).
  let revokeFailures = 0;
  for (const token of tokens) {
    const revoked = await sendPaced(
      session,
      {
        method: 'POST',
        url: `${run.target}${run.paths.revoke}`,
        headers: {
          accept: 'application/json',
          authorization: `Basic ${basicCredentials(account.clientId, account.clientSecret, session.credentialEncoding)}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      },
      account.clientId,
      notes,
    );
    if (revoked.response?.status !== 200) revokeFailures += 1;
  }
  if (revokeFailures > 0)
    notes.push(`${revokeFailures} of the ${tokens.length} tokens it got could not be revoked`);
  const refusal = refused ? refusalOf(refused) : undefined;
  const facts: TokenLimitFacts = {
    limit,
    sent,
    issued: tokens.length,
    ...(refused ? { refusedAfter: tokens.length } : {}),
    ...(refusal ? { refusal } : {}),
    revoked: tokens.length - revokeFailures,
    revokeFailures,
  };
  return {
    exchange: refused ?? first,
    notes,
    ...(refused ? { steps: { first } } : {}),
    facts: { of: 'token-limit', ...facts },
  };
}

/**
 * Starts the limit check with the run, and the suites' first hook waits for all of it (`minted`
 * resolves when its tokens are revoked): it must hold its account alone, and even on an account
 * of its own it cannot run beside the other cases, since a fault another case injects is taken by
 * the next request to its path (docs/fault-hook.md), which could be one of this check's. On its
 * own account (`tokenLimit`) the budget never holds it: what it adds is its requests' latency.
 */
export function startTokenLimit(session: Session, _c: Case): StartedSequence {
  const result = fillAndEmpty(session);
  result.catch(() => {});
  return { minted: result.then(() => undefined).catch(() => undefined), result };
}

/** The limit check when it was not started with the run. */
export function tokenLimit(session: Session, _c: Case): Promise<CaseResult> {
  return fillAndEmpty(session);
}
