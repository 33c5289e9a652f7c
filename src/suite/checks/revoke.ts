/** Checks of revocation: what a revoke request did to the token, judged at the resource probe. */

import { quoted } from '../../shared/text.ts';
import type { Exchange } from '../../target/http.ts';
import { factsOf, type RevocationFacts } from './facts.ts';
import { hasBody } from './json.ts';
import { type CheckContext, fail, inconclusive, pass, type Verdict } from './types.ts';

/** The revocation facts, or the verdict when they prove nothing (no probe, a token that never worked). */
function provenFacts(context: CheckContext): RevocationFacts | Verdict {
  const facts = factsOf(context.result.facts, 'revocation');
  if (!facts || facts.watchedMs === undefined) return fail('the token was not probed');
  if (facts.before !== 200) {
    if (facts.firstUse === 200)
      return inconclusive(
        `the token worked once, then was refused on its second use (${facts.before ?? 'nothing'}) before any revoke request, so a refusal after it proves nothing (token.reuse says whether the target's tokens work more than once)`,
      );
    return inconclusive(
      `the token did not work before the revoke request (the probe answered ${facts.before ?? 'nothing'}), so the case proves nothing`,
    );
  }
  return facts;
}

/**
 * What else refuses a token that worked before: these checks reuse it at the probe, so a target
 * whose tokens work only a few times fails them too (token.reuse judges that alone).
 */
const OR_SINGLE_USE =
  'or the target accepts a token only a few times: token.reuse says whether it does';

/** The body is empty (whitespace alone counts as empty). */
export function checkNoBody({ response }: CheckContext): Verdict {
  if (!hasBody(response)) return pass();
  if (response.coding?.problem)
    return fail(
      `a body of ${response.coding.wireBytes} bytes on the wire (${response.coding.problem})`,
    );
  return fail(`a body of ${Buffer.byteLength(response.body)} bytes: ${quoted(response.body, 80)}`);
}

/** The token worked before, and the probe refused it within the wait after the revoke request. */
export function checkTokenRefusedAfterRevoke(context: CheckContext): Verdict {
  const facts = provenFacts(context);
  if ('ok' in facts) return facts;
  if (facts.refusedAfterMs === undefined) {
    return fail(
      `the token was still accepted ${facts.watchedMs} ms after the revoke request (${facts.probes} probes, last ${facts.last})`,
    );
  }
  return pass(`revocation took effect ${facts.refusedAfterMs} ms after the revoke response`);
}

/** The token worked before, and the probe kept accepting it after the request. */
export function checkTokenSurvives(context: CheckContext): Verdict {
  const facts = provenFacts(context);
  if ('ok' in facts) return facts;
  if (facts.refusedAfterMs !== undefined) {
    return fail(
      `the token was refused ${facts.refusedAfterMs} ms after a request that must not revoke it (${OR_SINGLE_USE})`,
    );
  }
  return pass(`still accepted after ${facts.watchedMs} ms (${facts.probes} probes)`);
}

function stepStatus(steps: Record<string, Exchange> | undefined, name: string): number | undefined {
  return steps?.[name]?.response?.status;
}

/** Another token of the same account still works after one was revoked. */
export function checkOtherTokenSurvives({ result }: CheckContext): Verdict {
  // Only a revocation that took effect says anything about its sibling.
  const facts = factsOf(result.facts, 'revocation');
  if (facts?.watchedMs !== undefined && facts.refusedAfterMs === undefined)
    return inconclusive(
      'the revoked token itself was never refused, so its sibling surviving proves nothing',
    );
  const before = stepStatus(result.steps, 'otherTokenBefore');
  if (before !== undefined && before !== 200)
    return inconclusive(
      `the account's other token did not work before the revocation either (${before})`,
    );
  const status = stepStatus(result.steps, 'otherTokenProbe');
  if (status === undefined) return fail('the other token was not probed');
  return status === 200
    ? pass()
    : fail(
        `the account's other token was refused (${status}) after one token was revoked (${OR_SINGLE_USE})`,
      );
}

/** After the revocation a new token is issued (2xx; whether 200 is token.200.status's to say) and accepted at the probe. */
export function checkReissuedTokenWorks({ result }: CheckContext): Verdict {
  const issued = stepStatus(result.steps, 'reissue');
  if (issued === undefined || issued < 200 || issued >= 300) {
    return fail(
      `a new token request after the revocation got ${issued ?? 'no response'}, expected a token`,
    );
  }
  const probed = stepStatus(result.steps, 'reissueProbe');
  if (probed === undefined) return pass('issued; no probe to try it at');
  return probed === 200 ? pass() : fail(`the new token was refused at the probe (${probed})`);
}
