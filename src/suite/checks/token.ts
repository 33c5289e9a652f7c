/** Checks of the issued token: its type, lifetime, form, and whether it works. */
import { quoted, shownText } from '../../shared/text.ts';
import { factsOf } from './facts.ts';
import { bodyJson, isObject } from './json.ts';
import { type CheckContext, fail, inconclusive, pass, type Verdict } from './types.ts';

/**
 * The target decodes form-urlencoded client credentials in HTTP Basic (RFC 6749 §2.3.1): judged
 * only when the credentials hold characters the two encodings treat differently.
 */
export function checkFormEncodedCredentials({ result }: CheckContext): Verdict {
  const facts = factsOf(result.facts, 'credential-encoding');
  if (!facts?.tried) return fail('the credential encoding was not tried');
  if (!facts.differ) {
    return inconclusive(
      'the primary credentials hold no character whose form-urlencoded form differs (only letters, digits and -._*), so nothing tells the encodings apart',
    );
  }
  if (!facts.tried.some((t) => t.encoding === 'form-urlencoded')) {
    return inconclusive(
      'the config fixes the credentials raw (clientCredentialEncoding), so the form-urlencoded credentials RFC 6749 §2.3.1 describes were not sent',
    );
  }
  const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;
  for (const endpoint of ['token', 'revoke'] as const) {
    const at = (encoding: string) =>
      facts.tried.find((t) => t.encoding === encoding && t.endpoint === endpoint);
    const form = at('form-urlencoded');
    const raw = at('raw');
    const where = endpoint === 'token' ? '' : ' at the revoke endpoint';
    if (ok(form?.status))
      return pass(`form-urlencoded credentials accepted${where} (${form?.status})`);
    if (form && raw && ok(raw.status)) {
      return fail(
        `the form-urlencoded credentials were refused${where} (${form.status}) and the same credentials raw accepted (${raw.status}): the server compares the id and secret without form-decoding them`,
      );
    }
  }
  const shown = facts.tried.map(
    (t) => `${t.encoding} at the ${t.endpoint} endpoint: ${t.status ?? 'no response'}`,
  );
  return inconclusive(
    `no encoding of the credentials was accepted where it was tried (${shown.join('; ')}), so nothing tells the encodings apart: token.200.status judges the status`,
  );
}

function tokenBody(context: CheckContext): Record<string, unknown> | string {
  const json = bodyJson(context.response);
  if (!json.ok) return json.reason;
  return isObject(json.value) ? json.value : 'the body is not a JSON object';
}

/** token_type is exactly `value`. */
export function checkTokenType(context: CheckContext): Verdict {
  const body = tokenBody(context);
  if (typeof body === 'string') return fail(body);
  const value = context.params.value as string;
  return body.token_type === value
    ? pass()
    : fail(`token_type is ${quoted(body.token_type)}, not ${JSON.stringify(value)}`);
}

/** expires_in equals the configured token lifetime. */
export function checkExpiresIn(context: CheckContext): Verdict {
  const body = tokenBody(context);
  if (typeof body === 'string') return fail(body);
  const expected = context.run.tokenLifetimeSeconds;
  if (expected === null) return fail('no token lifetime is configured (tokenLifetimeSeconds)');
  return body.expires_in === expected
    ? pass()
    : fail(`expires_in is ${quoted(body.expires_in)}, expected ${expected} (tokenLifetimeSeconds)`);
}

/** No refresh_token in the body. */
export function checkNoRefreshToken(context: CheckContext): Verdict {
  const body = tokenBody(context);
  if (typeof body === 'string') return fail(body);
  return 'refresh_token' in body ? fail('the body includes a refresh_token') : pass();
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Seconds of slack between exp and the response's Date when the token has no iat. */
const DATE_SLACK_SECONDS = 60;
/** Seconds exp - iat may differ from expires_in (a server that counts from its own clock tick). */
const LIFETIME_SLACK_SECONDS = 5;
/** Seconds iat may lie after the response's Date (whole seconds both, from clocks that may differ a little). */
const IAT_SLACK_SECONDS = 5;

/** The parts of a JWT access token, or why there are none: `opaque` when it is no JWS at all. */
function jwtOf(context: CheckContext):
  | {
      header: Record<string, unknown>;
      payload: Record<string, unknown>;
      body: Record<string, unknown>;
    }
  | { opaque: string }
  | { broken: string } {
  const body = tokenBody(context);
  if (typeof body === 'string') return { broken: body };
  const token = body.access_token;
  if (typeof token !== 'string') return { broken: 'no access_token string' };
  const parts = token.split('.');
  if (parts.length !== 3)
    return {
      opaque: `the access_token is opaque (${parts.length} dot-separated part${parts.length === 1 ? '' : 's'}, not the 3 of a JWS compact serialisation), so it carries no claims to judge; the docs call it only a string`,
    };
  const header = decodeSegment(parts[0]);
  const payload = decodeSegment(parts[1]);
  if (!header || typeof header.alg !== 'string')
    return { broken: 'the JWT header is not a JSON object with alg' };
  if (!payload) return { broken: 'the JWT payload is not a JSON object' };
  return { header, payload, body };
}

/** The moment the response was made, in epoch seconds: its Date, else when the request was sent. */
function responseSeconds(context: CheckContext): { at: number; what: string } | undefined {
  const date = Date.parse(context.response.headers.date ?? '');
  if (!Number.isNaN(date)) return { at: Math.floor(date / 1000), what: "the response's Date" };
  const sent = Date.parse(context.result.exchange.startedAt);
  return Number.isNaN(sent)
    ? undefined
    : { at: Math.floor(sent / 1000), what: 'the time the request was sent (no Date)' };
}

/**
 * access_token is a JWT whose exp agrees with expires_in (exp - iat, or exp - Date), whose exp is
 * after the response was made and whose iat is not; an opaque token judges nothing.
 */
export function checkJwtExpiry(context: CheckContext): Verdict {
  const jwt = jwtOf(context);
  if ('opaque' in jwt) return inconclusive(jwt.opaque);
  if ('broken' in jwt) return fail(jwt.broken);
  const { header, payload, body } = jwt;
  if (typeof payload.exp !== 'number') return fail('the JWT has no numeric exp claim');
  const expiresIn = body.expires_in;
  if (typeof expiresIn !== 'number') return fail('no numeric expires_in to compare exp with');
  const now = responseSeconds(context);
  if (now && payload.exp <= now.at)
    return fail(
      `exp (${payload.exp}) is not after ${now.what} (${now.at}): the token was issued expired`,
    );
  if (typeof payload.iat === 'number') {
    if (now && payload.iat > now.at + IAT_SLACK_SECONDS)
      return fail(
        `iat (${payload.iat}) is ${payload.iat - now.at} s after ${now.what} (${now.at}): the token claims to be issued in the future`,
      );
    const lifetime = payload.exp - payload.iat;
    return Math.abs(lifetime - expiresIn) <= LIFETIME_SLACK_SECONDS
      ? pass(`alg ${shownText(String(header.alg), 20)}, exp - iat = ${lifetime} s`)
      : fail(`exp - iat is ${lifetime} s but expires_in is ${expiresIn} s`);
  }
  const date = Date.parse(context.response.headers.date ?? '');
  if (Number.isNaN(date))
    return fail('the JWT has no iat and the response no Date to compare exp with');
  const lifetime = payload.exp - Math.floor(date / 1000);
  return Math.abs(lifetime - expiresIn) <= DATE_SLACK_SECONDS
    ? pass(`alg ${shownText(String(header.alg), 20)}, exp - Date = ${lifetime} s`)
    : fail(`exp is ${lifetime} s after the response's Date but expires_in is ${expiresIn} s`);
}

/** The JWT header's alg is `value` (compared exactly, as JWS names algorithms: RFC 7515 §4.1.1). */
export function checkJwtAlgorithm(context: CheckContext): Verdict {
  const jwt = jwtOf(context);
  if ('opaque' in jwt) return inconclusive(jwt.opaque);
  if ('broken' in jwt) return fail(jwt.broken);
  const value = context.params.value as string;
  return jwt.header.alg === value
    ? pass()
    : fail(`the JWT header's alg is ${quoted(jwt.header.alg)}, not ${JSON.stringify(value)}`);
}

/**
 * The issued token is accepted at the resource probe, and a tampered copy of it is refused: a
 * probe that accepts anything would prove nothing.
 */
export function checkTokenWorksAtProbe({ result }: CheckContext): Verdict {
  const probe = result.probe;
  if (!probe) {
    const status = result.exchange.response?.status;
    return status !== undefined && status >= 200 && status < 300
      ? fail('the probe was not called (the success response carries no access_token)')
      : inconclusive(
          `no token was issued (the request got ${status ?? 'no response'}), so there is none to try at the probe`,
        );
  }
  const { withToken, withTamperedToken } = probe;
  if (!withToken.response)
    return fail(`the probe did not answer: ${withToken.error?.code} ${withToken.error?.message}`);
  if (withToken.response.status !== 200)
    return fail(
      `the probe answered ${withToken.response.status} to the issued token, expected 200`,
    );
  if (!withTamperedToken.response)
    return fail(`the probe did not answer a tampered token: ${withTamperedToken.error?.code}`);
  if (withTamperedToken.response.status !== 401) {
    return fail(
      `the probe answered ${withTamperedToken.response.status} to a tampered token, expected 401: it does not check tokens, so it proves nothing`,
    );
  }
  return pass();
}
