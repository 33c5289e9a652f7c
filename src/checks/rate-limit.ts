/** Checks of the rate-limit sequence. */
import { bodyJson, isObject } from './json.ts';
import { type CheckContext, fail, pass, type Verdict } from './types.ts';

/** The burst met a 429 rate_limited. */
export function checkRateLimited({ response, result }: CheckContext): Verdict {
  const facts = result.facts ?? {};
  const told = `after ${facts.sent} requests in ${facts.elapsedMs} ms (${facts.successes} answered 200)`;
  if (response.status !== 429)
    return fail(`no 429 ${told}; the last answer was ${response.status}`);
  const json = bodyJson(response);
  const code = json.ok && isObject(json.value) ? json.value.error : undefined;
  if (code !== 'rate_limited')
    return fail(`429 ${told}, but its error is ${JSON.stringify(code)}, not "rate_limited"`);
  return pass(`429 rate_limited ${told}`);
}
