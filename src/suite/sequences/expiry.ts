/**
 * A token's death (token.expiry.enforced): one token is issued, tried at the probe just before
 * its `expires_in` has passed and again just after. The wait is the token's lifetime, so the
 * sequence starts when the run does ({@link startTokenExpiry} from the suites' first hook) and
 * the other cases run while it waits; its testcase, in the last area, collects the result.
 */

import type { Case } from '../../contract/catalog.ts';
import { CaseSetupError } from '../../shared/errors.ts';
import type { Exchange } from '../../target/http.ts';
import { send } from '../../target/http.ts';
import { sleep } from '../../target/waits.ts';
import { expiryRole } from '../assignment.ts';
import type { ExpiryFacts, ProbeAt } from '../checks/facts.ts';
import type { CaseResult } from '../checks/index.ts';
import { SHORT_TOKEN_LIFETIME_SECONDS } from '../config.ts';
import { callProbe, requestToken } from '../execute.ts';
import type { Session } from '../session.ts';

export type { ExpiryFacts } from '../checks/facts.ts';

/**
 * The tolerance around `expires_in`, in seconds of the target's clock (2 s for a real target;
 * 500 ms on the embedded mock's faster clock): a server may count the lifetime from its whole-second
 * `iat` (up to 1 s early) and the probe's request takes its time to arrive.
 */
export const EXPIRY_TOLERANCE_SECONDS = 2;

/** The lifetime the fault hook gives the token: twice the tolerance, at least 1 s (`expires_in` is whole seconds). */
export function faultLifetimeSeconds(secondMs: number): number {
  return Math.max(1, Math.ceil((2 * EXPIRY_TOLERANCE_SECONDS * secondMs) / 1000));
}

/** Why the expiry cannot be watched in this run, or undefined when it can. */
export function expirySkipReason(run: Session['run']): string | undefined {
  if (run.faultHook) return undefined;
  const lifetime = run.tokenLifetimeSeconds;
  if (lifetime === null) {
    return 'no token lifetime is known (set tokenLifetimeSeconds in the config), so there is no moment to wait for';
  }
  if (lifetime > SHORT_TOKEN_LIFETIME_SECONDS && !run.waitTokenExpiry) {
    return `the token lifetime is ${lifetime} s, longer than the ${SHORT_TOKEN_LIFETIME_SECONDS} s the suite waits unasked: --wait-token-expiry waits it out (the run's deadline still bounds it)`;
  }
  if (lifetime * 1000 > run.deadlineMs) {
    return `the token lifetime is ${lifetime} s, longer than the run's deadline (${run.deadlineMs / 1000} s, deadlineSeconds in the config)`;
  }
  return undefined;
}

/** How long the run waits for the token to die, in ms, as the plan states it. */
export function expiryWaitMs(run: Session['run']): number {
  const lifetime = run.faultHook
    ? faultLifetimeSeconds(run.secondMs)
    : (run.tokenLifetimeSeconds ?? 0);
  return lifetime * 1000 + EXPIRY_TOLERANCE_SECONDS * run.secondMs;
}

/** Asks the fault hook to give the next token request's token a short lifetime. */
async function shortenNextToken(session: Session, seconds: number): Promise<void> {
  const { run } = session;
  const exchange = await send(
    {
      method: 'POST',
      url: `${run.target}/__conformance/faults`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: run.paths.token, tokenLifetimeSeconds: seconds }),
    },
    { timeoutMs: run.timeoutMs },
  );
  const status = exchange.response?.status;
  if (status === undefined || status < 200 || status > 299) {
    throw new CaseSetupError(
      `the fault hook refused a tokenLifetimeSeconds fault (${status ?? exchange.error?.code}): a hook without it cannot shorten a token's life (docs/fault-hook.md)`,
    );
  }
}

async function probeAt(
  session: Session,
  token: string,
  at: number,
  origin: number,
): Promise<{ exchange: Exchange; seen: ProbeAt }> {
  await sleep(Math.max(0, at - (performance.now() - origin)));
  const sentAtMs = Math.round(performance.now() - origin);
  const exchange = await callProbe(session, token);
  const answeredAtMs = Math.round(performance.now() - origin);
  const status = exchange.response?.status;
  return {
    exchange,
    seen: { sentAtMs, answeredAtMs, ...(status === undefined ? {} : { status }) },
  };
}

/** A started expiry watch: `minted` once its token is issued, `result` once both probes answered. */
export interface StartedSequence {
  minted: Promise<void>;
  result: Promise<CaseResult>;
}

/**
 * Issues the token (shortened by the fault hook when there is one) and watches it die. Nothing
 * else may ask for a token between the fault and the token request: the caller awaits `minted`
 * before it lets other cases run.
 */
export function startTokenExpiry(session: Session, _c: Case): StartedSequence {
  let minted: () => void = () => {};
  const mintedPromise = new Promise<void>((resolve) => {
    minted = resolve;
  });
  const result = (async (): Promise<CaseResult> => {
    try {
      const notes: string[] = [];
      const { run } = session;
      const reason = expirySkipReason(run);
      if (reason) throw new CaseSetupError(reason);
      if (!run.resourceProbe) throw new CaseSetupError('no resource probe is configured');
      if (run.faultHook) await shortenNextToken(session, faultLifetimeSeconds(run.secondMs));
      const origin = performance.now();
      const issued = await requestToken(session, notes, expiryRole(run));
      const latencyMs = Math.round(performance.now() - origin);
      minted();
      const { token, exchange } = issued;
      if (!token) return { exchange, notes };
      const expiresIn = expiresInOf(exchange);
      if (expiresIn === undefined) return { exchange, notes };
      const toleranceMs = EXPIRY_TOLERANCE_SECONDS * run.secondMs;
      if (expiresIn > SHORT_TOKEN_LIFETIME_SECONDS && !run.waitTokenExpiry) {
        throw new CaseSetupError(
          `the token's expires_in is ${expiresIn} s, longer than the ${SHORT_TOKEN_LIFETIME_SECONDS} s the suite waits unasked (--wait-token-expiry waits it out)`,
        );
      }
      const afterAt = expiresIn * 1000 + latencyMs + toleranceMs;
      if (Date.now() + afterAt - (performance.now() - origin) > run.deadlineAt) {
        throw new CaseSetupError(
          `waiting out the token's expires_in (${expiresIn} s) would pass the run's deadline`,
        );
      }
      process.stderr.write(
        `  … waiting ${(afterAt / 1000).toFixed(1)} s for a token to expire (token.expiry.enforced), while the other cases run\n`,
      );
      // Its first use at once: the probe before expiry is then its second, so a token the target
      // lets through only once is refused before its time instead of seeming to die on time.
      const first = await probeAt(session, token, 0, origin);
      const before = await probeAt(
        session,
        token,
        Math.max(0, expiresIn * 1000 - toleranceMs),
        origin,
      );
      const after = await probeAt(session, token, afterAt, origin);
      const facts: ExpiryFacts = {
        expiresIn,
        latencyMs,
        toleranceMs,
        first: first.seen,
        before: before.seen,
        after: after.seen,
      };
      return {
        exchange,
        notes,
        steps: {
          probeFirst: first.exchange,
          probeBefore: before.exchange,
          probeAfter: after.exchange,
        },
        facts: { of: 'expiry', ...facts },
      };
    } finally {
      minted();
    }
  })();
  // Collected by its testcase later; until then a rejection is not unhandled.
  result.catch(() => {});
  return { minted: mintedPromise, result };
}

function expiresInOf(exchange: Exchange): number | undefined {
  try {
    const body = JSON.parse(exchange.response?.body ?? '') as { expires_in?: unknown };
    const value = body?.expires_in;
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The expiry sequence when it was not started early (a run of its area alone). */
export function tokenExpiry(session: Session, c: Case): Promise<CaseResult> {
  return startTokenExpiry(session, c).result;
}
