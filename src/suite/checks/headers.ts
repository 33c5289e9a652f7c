/** Checks of response header fields. */
import { hasSchema, validate } from '../../contract/schemas.ts';
import { quoted, visible } from '../../shared/text.ts';
import { hasBody, mediaType } from './json.ts';
import { type CheckContext, fail, inconclusive, pass, type Verdict } from './types.ts';

/** Fields whose values compare case-insensitively (RFC 9110 §8.3.1, RFC 6797 §6.1). */
const CASE_INSENSITIVE_VALUES = new Set(['content-type', 'strict-transport-security', 'vary']);

function normalised(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = CASE_INSENSITIVE_VALUES.has(name) ? value.toLowerCase() : value;
  }
  return out;
}

/**
 * The response carries the documented header set of `status` (default: of the status it has).
 * Extra fields are allowed.
 */
export function validateHeaderSet({ response, params }: CheckContext): Verdict {
  const status = (params.status as number | undefined) ?? response.status;
  if (status !== response.status) {
    return inconclusive(
      `the response is ${response.status}, not ${status}, so the documented ${status} header set cannot be judged`,
    );
  }
  const ref = `urn:oauth-conformance:schemas:headers-${status}`;
  if (!hasSchema(ref)) return fail(`no header set is documented for status ${status}`);
  const headers = normalised(response.headers);
  const result = validate(ref, headers);
  if (result.ok) return pass();
  const problems = result.details
    .filter((error) => error.keyword === 'required' || error.keyword === 'pattern')
    .map((error) => {
      if (error.keyword === 'required')
        return `missing ${(error.params as { missingProperty: string }).missingProperty}`;
      const name = error.instancePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
      return `${visible(name)}: ${quoted(response.headers[name])} is not a valid value`;
    });
  return fail(
    `${status} header set: ${[...new Set(problems)].join('; ') || result.errors.join('; ')}`,
  );
}

/** Splits a comma-separated field value, leaving commas inside quoted strings alone (RFC 9110 §5.6.1, §5.6.4). */
export function splitList(value: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    if (quoted && char === '\\') {
      current += char + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      items.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  items.push(current.trim());
  return items.filter(Boolean);
}

function directives(value: string | undefined): string[] {
  return splitList(value ?? '').map((item) => (item.split('=', 1)[0] ?? '').trim().toLowerCase());
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * The auth-schemes of a WWW-Authenticate value: list members that start a challenge, not the
 * auth-params (name=value) that follow one (RFC 9110 §11.6.1).
 */
export function challengeSchemes(value: string): string[] {
  return splitList(value).flatMap((item) => {
    const scheme = TOKEN.exec(item)?.[0];
    if (!scheme) return [];
    return /^\s*=/.test(item.slice(scheme.length)) ? [] : [scheme.toLowerCase()];
  });
}

/** Cache-Control includes no-store. */
export function checkCacheControlNoStore({ response }: CheckContext): Verdict {
  const value = response.headers['cache-control'];
  if (value === undefined) return fail('no Cache-Control header');
  return directives(value).includes('no-store')
    ? pass()
    : fail(`Cache-Control is ${quoted(value)}, without no-store`);
}

/** Pragma includes no-cache. */
export function checkPragmaNoCache({ response }: CheckContext): Verdict {
  const value = response.headers.pragma;
  if (value === undefined) return fail('no Pragma header');
  return directives(value).includes('no-cache')
    ? pass()
    : fail(`Pragma is ${quoted(value)}, without no-cache`);
}

/** Content-Type is application/json, where there is a body to type. */
export function checkContentTypeJson({ response }: CheckContext): Verdict {
  if (!hasBody(response)) return inconclusive('no body, so no media type to judge');
  const value = response.headers['content-type'];
  if (value === undefined) return fail('no Content-Type header');
  return mediaType(value) === 'application/json'
    ? pass()
    : fail(`Content-Type is ${quoted(value)}, not application/json`);
}

/** A 401 carries WWW-Authenticate (with `scheme`: a challenge of that scheme). Any other status: not judged (RFC 9110 §15.5.2 asks it of a 401 only). */
export function checkWwwAuthenticate({ response, params }: CheckContext): Verdict {
  if (response.status !== 401)
    return inconclusive(`not a 401 (got ${response.status}), so there is no challenge to judge`);
  const value = response.headers['www-authenticate'];
  if (value === undefined) return fail('a 401 without a WWW-Authenticate header');
  const scheme = params.scheme as string | undefined;
  if (!scheme) return pass();
  return challengeSchemes(value).includes(scheme.toLowerCase())
    ? pass()
    : fail(`WWW-Authenticate ${quoted(value)} has no ${scheme} challenge`);
}
