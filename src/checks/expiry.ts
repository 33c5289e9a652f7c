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
    return fail(
      `the probe refused the token (${before.status}) ${before.sentAtMs} ms after the token request was sent, before its expires_in of ${expiresIn} s had passed (${tolerance})`,
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
