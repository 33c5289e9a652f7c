/** The check of the generated malformed requests (src/suite/sequences/fuzz.ts). */

import { validate } from '../../contract/schemas.ts';
import { factsOf } from './facts.ts';
import { bodyJson } from './json.ts';
import { type CheckContext, fail, pass, type Verdict } from './types.ts';

/** Every malformed request got a 4xx, and a 400 or 401 a valid OAuth error body; none a 5xx, none no answer. */
export function checkMalformedRefused({ result }: CheckContext): Verdict {
  const outcomes = factsOf(result.facts, 'fuzz')?.outcomes ?? [];
  if (outcomes.length === 0) return fail('no generated request was sent');
  const wrong: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === undefined) {
      wrong.push(`${outcome.kind}: no answer (${outcome.error})`);
      continue;
    }
    if (outcome.alsoAccepted?.includes(outcome.status)) continue;
    if (outcome.status < 400 || outcome.status > 499) {
      wrong.push(`${outcome.kind}: ${outcome.status}`);
      continue;
    }
    if (outcome.status === 400 || outcome.status === 401) {
      const response = result.steps?.[outcome.step]?.response;
      const json = response ? bodyJson(response) : { ok: false as const, reason: 'no response' };
      const valid =
        json.ok && validate('urn:oauth-conformance:schemas:rfc6749-error', json.value).ok;
      if (!valid) wrong.push(`${outcome.kind}: ${outcome.status} without a valid OAuth error body`);
    }
  }
  if (wrong.length > 0)
    return fail(
      `${wrong.length} of ${outcomes.length} malformed requests were not refused properly: ${wrong.join('; ')}`,
    );
  const statuses = [...new Set(outcomes.map((outcome) => outcome.status))].sort().join(', ');
  const invalidToken = outcomes.filter(
    (o) => o.status !== undefined && o.alsoAccepted?.includes(o.status),
  );
  return pass(
    invalidToken.length > 0
      ? `${outcomes.length} malformed requests, each answered as it should (${statuses}; a 200 to ${invalidToken.length} revocations that name no valid token, RFC 7009 §2.2)`
      : `${outcomes.length} malformed requests, each refused with a 4xx (${statuses})`,
  );
}
