/** Checks of the query flags, each comparing a response with its baseline (the same request without the flag). */
import { validate } from '../schemas.ts';
import { bodyJson, differenceInMeaning } from './json.ts';
import { type CheckContext, fail, pass, type Verdict } from './types.ts';

/** A fresh token every request: compared by type, not value. */
const VOLATILE = new Set(['access_token']);

function baselineOf(context: CheckContext) {
  const response = context.result.baseline?.exchange.response;
  return response;
}

/** Same status and, by meaning, the same body as the baseline. */
export function checkSameMeaningAsBaseline(context: CheckContext): Verdict {
  const baseline = baselineOf(context);
  if (!baseline) return fail('the baseline request got no response');
  const { response } = context;
  if (response.status !== baseline.status)
    return fail(`status ${response.status}, but ${baseline.status} without the flag`);
  const mine = bodyJson(response);
  const theirs = bodyJson(baseline);
  if (!theirs.ok)
    return response.body === baseline.body
      ? pass()
      : fail('the body differs from the one without the flag');
  if (!mine.ok) return fail(`${mine.reason}, but the body without the flag is JSON`);
  const diff = differenceInMeaning(mine.value, theirs.value, VOLATILE);
  return diff ? fail(`the body means something else than without the flag: ${diff}`) : pass();
}

/** The body is {status, content}: status is the baseline's HTTP status, content its body. */
export function checkEnvelope(context: CheckContext): Verdict {
  const baseline = baselineOf(context);
  if (!baseline) return fail('the baseline request got no response');
  const { response } = context;
  const json = bodyJson(response);
  if (!json.ok) return fail(json.reason);
  const shape = validate('urn:oauth-conformance:schemas:envelope', json.value);
  if (!shape.ok) return fail(`not an envelope: ${shape.errors.join('; ')}`);
  const envelope = json.value as { status: number; content: unknown };
  if (envelope.status !== baseline.status)
    return fail(
      `envelope status is ${envelope.status}, but the request gets ${baseline.status} without the flag`,
    );
  if (response.status !== baseline.status && response.status !== 200) {
    return fail(
      `HTTP status ${response.status} with the envelope, neither the real ${baseline.status} nor 200`,
    );
  }
  const theirs = bodyJson(baseline);
  if (!theirs.ok) return fail(`the body without the flag is not JSON (${theirs.reason})`);
  const diff = differenceInMeaning(envelope.content, theirs.value, VOLATILE);
  return diff ? fail(`envelope content differs from the body without the flag: ${diff}`) : pass();
}
