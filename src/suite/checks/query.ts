/**
 * Checks of the query flags, each comparing a response with its baseline (the same request
 * without the flag). A comparison needs something to compare: when the baseline got no answer,
 * or an answer that is not JSON, the check judges nothing and says so (inconclusive), never
 * passes.
 */

import { validate } from '../../contract/schemas.ts';
import type { HttpResponse } from '../../target/http.ts';
import { bodyJson, differenceInMeaning, isObject } from './json.ts';
import { type CheckContext, fail, inconclusive, pass, type Verdict } from './types.ts';

/** A fresh token every request: compared by type, not value. */
const VOLATILE = new Set(['access_token']);

/** The baseline's response and its JSON value, or why there is nothing to compare with. */
function baselineJson(
  context: CheckContext,
): { response: HttpResponse; value: unknown } | { reason: string } {
  const exchange = context.result.baseline?.exchange;
  const response = exchange?.response;
  if (!response) {
    return {
      reason: `the same request without the flag got no response${exchange?.error ? ` (${exchange.error.code})` : ''}, so there is nothing to compare with`,
    };
  }
  const json = bodyJson(response);
  if (!json.ok) {
    return {
      reason: `the same request without the flag got ${response.status} and ${json.reason}: there is no meaning to compare`,
    };
  }
  return { response, value: json.value };
}

/** Same status and, by meaning, the same JSON body as the baseline. */
export function checkSameMeaningAsBaseline(context: CheckContext): Verdict {
  const baseline = baselineJson(context);
  if ('reason' in baseline) return inconclusive(baseline.reason);
  const { response } = context;
  if (response.status !== baseline.response.status)
    return fail(`status ${response.status}, but ${baseline.response.status} without the flag`);
  const mine = bodyJson(response);
  if (!mine.ok) return fail(`${mine.reason}, but the body without the flag is JSON`);
  const diff = differenceInMeaning(mine.value, baseline.value, VOLATILE);
  return diff ? fail(`the body means something else than without the flag: ${diff}`) : pass();
}

/**
 * Where each member of the top-level object or array of a JSON text starts: the offsets of the
 * structural characters before them (`{`, `[` or `,` at depth 1) and of the member itself.
 */
function topLevelMembers(text: string): { after: number; at: number }[] {
  const members: { after: number; at: number }[] = [];
  let depth = 0;
  let inString = false;
  let pending: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') continue;
    if (pending !== undefined && char !== '}' && char !== ']') {
      members.push({ after: pending, at: i });
    }
    pending = undefined;
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      depth += 1;
      if (depth === 1) pending = i;
    } else if (char === '}' || char === ']') depth -= 1;
    else if (char === ',' && depth === 1) pending = i;
  }
  return members;
}

/**
 * The body is laid out for people: every member of its top-level object (or item of its array)
 * on a line of its own. No indentation or member order is prescribed; an empty object or array
 * has nothing to lay out.
 */
export function prettyLayoutProblem(body: string): string | undefined {
  const members = topLevelMembers(body);
  const inline = members.filter(({ after, at }) => !/[\r\n]/.test(body.slice(after + 1, at)));
  if (inline.length === 0) return undefined;
  return inline.length === members.length
    ? `no member of the body starts a line of its own (${members.length} members on one line): the flag changed nothing visible`
    : `${inline.length} of ${members.length} members of the body do not start a line of their own`;
}

/**
 * pretty=true: the same status and meaning as without the flag, and a layout made for people
 * (every top-level member on a line of its own).
 */
export function checkPrettyPrinted(context: CheckContext): Verdict {
  const same = checkSameMeaningAsBaseline(context);
  if (!same.ok) return same;
  const json = bodyJson(context.response);
  if (json.ok && !isObject(json.value) && !Array.isArray(json.value))
    return pass('the body is a JSON scalar: nothing to lay out');
  const problem = prettyLayoutProblem(context.response.body);
  return problem ? fail(problem) : pass();
}

/** The body is {status, content}: status is the baseline's HTTP status, content its body. */
export function checkEnvelope(context: CheckContext): Verdict {
  const baseline = baselineJson(context);
  if ('reason' in baseline) return inconclusive(baseline.reason);
  const { response } = context;
  const json = bodyJson(response);
  if (!json.ok) return fail(json.reason);
  const shape = validate('urn:oauth-conformance:schemas:envelope', json.value);
  if (!shape.ok) return fail(`not an envelope: ${shape.errors.join('; ')}`);
  const envelope = json.value as { status: number; content: unknown };
  if (envelope.status !== baseline.response.status)
    return fail(
      `envelope status is ${envelope.status}, but the request gets ${baseline.response.status} without the flag`,
    );
  if (response.status !== baseline.response.status && response.status !== 200) {
    return fail(
      `HTTP status ${response.status} with the envelope, neither the real ${baseline.response.status} nor 200`,
    );
  }
  const diff = differenceInMeaning(envelope.content, baseline.value, VOLATILE);
  return diff ? fail(`envelope content differs from the body without the flag: ${diff}`) : pass();
}
