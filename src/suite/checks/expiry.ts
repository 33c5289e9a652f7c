/** Checks of a token's life after its issue: it dies when expires_in has passed, not before. */
import { factsOf } from './facts.ts';
import { type CheckContext, fail, inconclusive, pass, type Verdict } from './types.ts';

/**
 * The probe accepts the token just before its expires_in has passed and refuses it (401) just
 * after, within the stated tolerance (src/sequences/expiry.ts).
 */
export function checkExpiryEnforced({ result }: CheckContext): Verdict {
  const facts = factsOf(result.facts, 'expiry');
  if (!facts) {
    const status = result.exchange.response?.status;
    return inconclusive(
      status !== undefined && status >= 200 && status < 300
        ? 'the token response carries no access_token with a positive whole expires_in, so there is no moment to wait for (token.200.body judges the body)'
        : `no token was issued (the request got ${status ?? 'no response'}), so there is none to watch expire`,
    );
  }
  const { expiresIn, latencyMs, toleranceMs, before, after } = facts;
  const lifetimeMs = expiresIn * 1000;
  const tolerance = `tolerance ${toleranceMs} ms`;
  if (before.status === undefined) return fail('the probe did not answer before expiry');
  if (before.status !== 200) {
    // The token may die at its issue plus expires_in, no sooner than the request was sent.
    if (before.status === 401 && before.answeredAtMs >= lifetimeMs) {
      return inconclusive(
        `the probe meant for ${toleranceMs} ms before expiry was answered only ${before.answeredAtMs} ms after the token request (expires_in ${expiresIn} s): too late to say the token died early (a loaded machine?)`,
      );
    }
    const once =
      facts.first?.status === 200
        ? `; it had accepted it ${facts.first.sentAtMs} ms after (the token worked once: token.reuse says whether it works more than once)`
        : '';
    return fail(
      `the probe refused the token (${before.status}) ${before.sentAtMs} ms after the token request was sent, before its expires_in of ${expiresIn} s had passed (${tolerance})${once}`,
    );
  }
  if (after.status === undefined) return fail('the probe did not answer after expiry');
  if (after.status !== 401) {
    return fail(
      `the probe answered ${after.status} to the token ${after.sentAtMs} ms after the token request was sent, ${after.sentAtMs - latencyMs - lifetimeMs} ms after its expires_in of ${expiresIn} s had passed (${tolerance}), expected 401`,
    );
  }
  return pass(
    `accepted ${before.sentAtMs} ms and refused ${after.sentAtMs} ms after the token request (expires_in ${expiresIn} s, ${tolerance})`,
  );
}

/**
 * The account was refused a token past the active-token limit, with 403 access_denied, and not
 * before it was full as far as this run can tell (src/sequences/token-limit.ts).
 */
export function checkActiveTokenLimit({ result, run }: CheckContext): Verdict {
  const facts = factsOf(result.facts, 'token-limit');
  if (!facts) return fail('the active-token limit was not tried');
  const { limit, issued, refusal } = facts;
  if (!refusal) {
    if (issued > limit)
      return fail(
        `${issued} tokens were issued to one account, past the limit of ${limit} (maxActiveTokens), and none was refused`,
      );
    return inconclusive(
      `the run's deadline came after ${facts.sent} token requests, before the limit of ${limit} was reached`,
    );
  }
  const said = `${refusal.status}${refusal.error ? ` ${refusal.error}` : ''}${refusal.description ? ` (${JSON.stringify(refusal.description)})` : ''}`;
  if (refusal.status !== 403 || refusal.error !== 'access_denied') {
    if (issued === 0) {
      return inconclusive(
        `the first token request got ${said}, so no token was issued to count (token.200.status judges it)`,
      );
    }
    return fail(
      `after ${issued} tokens the token request got ${said}, expected 403 access_denied ("Access Token limit reached...")`,
    );
  }
  if (issued === limit) return pass(`refused with ${said} after exactly ${limit} tokens`);
  if (issued > limit)
    return fail(
      `refused only after ${issued} tokens, past the limit of ${limit} (maxActiveTokens)`,
    );
  // Fewer than the limit: the account may have held tokens this run did not issue.
  return run.targetKind === 'embedded-mock'
    ? fail(
        `refused with ${said} after ${issued} tokens, before the limit of ${limit} (the account held no other token)`,
      )
    : pass(
        `refused with ${said} after ${issued} tokens; the limit is ${limit}, so the account held ${limit - issued} others (issued elsewhere), or the limit is lower`,
      );
}

/** The shared token was accepted at every reuse spread over the run (src/sequences/reuse.ts). */
export function checkTokenReused({ result }: CheckContext): Verdict {
  const facts = factsOf(result.facts, 'reuse');
  if (!facts) return fail('the shared token was not reused');
  const { probes, lifetimeSeconds } = facts;
  for (const [i, probe] of probes.entries()) {
    if (probe.status === 200) continue;
    const at = `at reuse ${i + 1} of ${probes.length} (${probe.where}, ${(probe.afterMs / 1000).toFixed(1)} s into the run)`;
    if (probe.status !== 401) return fail(`the probe answered ${probe.status ?? 'nothing'} ${at}`);
    if (lifetimeSeconds === null || probe.afterMs >= lifetimeSeconds * 1000)
      return inconclusive(
        `the shared token was refused ${at}, when its lifetime (${lifetimeSeconds ?? 'unknown'} s) may have passed`,
      );
    return fail(
      `the shared token was refused ${at}, before its lifetime of ${lifetimeSeconds} s had passed: a token works for many calls until it expires`,
    );
  }
  if (probes.length < 2)
    return inconclusive(
      `the shared token was tried only ${probes.length} time(s): no reuse to judge`,
    );
  const last = probes[probes.length - 1];
  return pass(
    `accepted at ${probes.length} reuses over ${((last?.afterMs ?? 0) / 1000).toFixed(1)} s (${probes.map((p) => p.where).join(', ')})`,
  );
}
