/** Checks of status codes, error codes and bodies. */

import { hasSchema, validate } from '../../contract/schemas.ts';
import { quoted } from '../../shared/text.ts';
import type { HttpResponse } from '../../target/http.ts';
import { bodyJson, isObject } from './json.ts';
import { type CheckContext, fail, pass, type Verdict } from './types.ts';

function listOf(values: unknown[]): string {
  return values.length <= 1
    ? String(values[0])
    : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** A status as a reason states it: a redirect says where to, and that it was not followed. */
export function statusText(response: HttpResponse): string {
  if (response.status < 300 || response.status > 399) return String(response.status);
  const location = response.headers.location;
  return `${response.status} (a redirect${location ? ` to ${quoted(location)}` : ''}; never followed, so credentials do not travel along it)`;
}

/** An error code as a reason shows it: bare when it is made of the characters RFC 6749 §5.2 allows, else quoted. */
export function errorCodeText(code: string): string {
  return /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(code) ? code : quoted(code, 64);
}

/** Status is one of `allowed`. */
export function checkStatus({ response, params }: CheckContext): Verdict {
  const allowed = params.allowed as number[];
  return allowed.includes(response.status)
    ? pass()
    : fail(`expected status ${listOf(allowed)}, got ${statusText(response)}`);
}

/** Status and the body's `error` code form one of the `allowed` pairs. */
export function checkErrorResponse({ response, params }: CheckContext): Verdict {
  const allowed = params.allowed as [number, string][];
  const wanted = listOf(allowed.map(([status, code]) => `${status} ${code}`));
  const json = bodyJson(response);
  const code =
    json.ok && isObject(json.value) && typeof json.value.error === 'string'
      ? json.value.error
      : undefined;
  if (allowed.some(([status, expected]) => status === response.status && expected === code))
    return pass();
  const got = code
    ? `${statusText(response)} ${errorCodeText(code)}`
    : `${statusText(response)} with ${json.ok ? 'no error code in the body' : json.reason}`;
  return fail(`expected ${wanted}, got ${got}`);
}

/**
 * The body is JSON and valid against `schema`; with `byStatus`, against the schema's
 * `$defs/status-<status>`, which lists the error codes documented for that status.
 */
export function validateBody({ response, params }: CheckContext): Verdict {
  const json = bodyJson(response);
  if (!json.ok) return fail(json.reason);
  let ref = params.schema as string;
  if (params.byStatus) {
    const byStatus = `${ref}#/$defs/status-${response.status}`;
    if (!hasSchema(byStatus))
      return fail(`no error body is documented for status ${response.status}`);
    ref = byStatus;
  }
  const result = validate(ref, json.value);
  return result.ok ? pass() : fail(`body does not match ${ref}: ${result.errors.join('; ')}`);
}

/** The body has the member `member`. */
export function checkMemberPresent({ response, params }: CheckContext): Verdict {
  const member = params.member as string;
  const json = bodyJson(response);
  if (!json.ok) return fail(json.reason);
  return isObject(json.value) && member in json.value ? pass() : fail(`the body has no ${member}`);
}
