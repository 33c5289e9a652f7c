/**
 * Generated negative inputs for the token and revoke endpoints: malformed requests a serious
 * service must refuse with a 4xx, never a 5xx or a hang. Made with faker from the run's seed, so
 * `--seed` reproduces them.
 */
// One locale's entry point: the package root loads every locale (several MB to compile at start-up).
import type { Faker } from '@faker-js/faker';
import { faker as enFaker } from '@faker-js/faker/locale/en';
import { basicCredentials } from '../shared/redact.ts';
import type { Account, ClientCredentialEncoding } from '../shared/types.ts';
import type { HttpRequest } from '../target/http.ts';

export interface FuzzInput {
  /** What is wrong with it, for the report (no secret in it). */
  kind: string;
  /**
   * Statuses besides a 4xx that answer it correctly: a revocation whose token is repeated or
   * empty names no valid token, which RFC 7009 §2.2 answers 200 (RFC 6749 §3.2's rule on repeated
   * and empty parameters is the token endpoint's).
   */
  alsoAccepted?: number[];
  request: HttpRequest;
  /** The client id the request names, for the budget ('' if none). */
  clientId: string;
}

type Endpoint = 'token' | 'revoke';

/**
 * The run's faker, seeded from `seed` and `parts` (a case id, an endpoint), so that the values
 * drawn do not depend on the order things run in. One instance is re-seeded for every use: draw
 * from it at once, before anything else can seed it again (no `await` in between).
 */
export function seededFaker(seed: number, ...parts: (string | number)[]): Faker {
  enFaker.seed([
    seed,
    ...parts.flatMap((part) =>
      typeof part === 'number' ? [part] : Array.from(part, (char) => char.charCodeAt(0)),
    ),
  ]);
  return enFaker;
}

/** A faker seeded from the run's seed and a case id (see {@link seededFaker}). */
export function fakerFor(seed: number, caseId: string): Faker {
  return seededFaker(seed, caseId);
}

/** A client id of the documented form that no target has issued (drawn from `faker`). */
export function generatedClientId(faker: Faker): string {
  return `mdb_sa_id_${faker.string.hexadecimal({ length: 24, casing: 'lower', prefix: '' })}`;
}

/** A client secret of the documented form (drawn from `faker`). */
export function generatedSecret(faker: Faker): string {
  return `mdb_sa_sk_${faker.string.alphanumeric(40)}`;
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * One generator per kind of wrongness; each takes the faker, the account and the endpoint's good
 * form. Not here: a percent-encoded client id, which RFC 6749 §2.3.1 makes valid (the server
 * form-decodes Basic credentials) while the live Atlas compares the raw id; the sources disagree,
 * so it is no malformed input.
 */
const KINDS: Record<
  string,
  (
    f: Faker,
    account: Account,
    form: string,
    /** An HTTP Basic Authorization value, in the run's credential encoding. */
    basic: (id: string, secret: string) => string,
  ) => { headers: Record<string, string>; body?: string; method?: string; clientId: string }
> = {
  'JSON body instead of a form': (_f, a, form, basic) => ({
    headers: {
      authorization: basic(a.clientId, a.clientSecret),
      'content-type': 'application/json',
    },
    body: JSON.stringify(Object.fromEntries(new URLSearchParams(form))),
    clientId: a.clientId,
  }),
  'text/plain body': (_f, a, form, basic) => ({
    headers: { authorization: basic(a.clientId, a.clientSecret), 'content-type': 'text/plain' },
    body: form,
    clientId: a.clientId,
  }),
  'no content type': (_f, a, form, basic) => ({
    headers: { authorization: basic(a.clientId, a.clientSecret) },
    body: form,
    clientId: a.clientId,
  }),
  'parameter repeated with another value': (f, a, form, basic) => {
    const [name] = [...new URLSearchParams(form).keys()];
    return {
      headers: { authorization: basic(a.clientId, a.clientSecret), 'content-type': FORM },
      body: `${form}&${name}=${encodeURIComponent(f.lorem.word())}`,
      clientId: a.clientId,
    };
  },
  'empty parameter values': (_f, a, form, basic) => ({
    headers: { authorization: basic(a.clientId, a.clientSecret), 'content-type': FORM },
    body: [...new URLSearchParams(form).keys()].map((name) => `${name}=`).join('&'),
    clientId: a.clientId,
  }),
  'unicode in the parameters': (f, a, form, basic) => ({
    headers: { authorization: basic(a.clientId, a.clientSecret), 'content-type': FORM },
    body: [...new URLSearchParams(form).keys()]
      .map((name) => `${name}=${encodeURIComponent(`${f.lorem.word()}é漢字🙂`)}`)
      .join('&'),
    clientId: a.clientId,
  }),
  'oversized client id': (f, _a, form, basic) => {
    const id = f.string.alphanumeric(4000);
    return {
      headers: {
        authorization: basic(id, f.string.alphanumeric(20)),
        'content-type': FORM,
      },
      body: form,
      clientId: id,
    };
  },
  'oversized secret': (f, a, form, basic) => ({
    headers: {
      authorization: basic(a.clientId, f.string.alphanumeric(6000)),
      'content-type': FORM,
    },
    body: form,
    clientId: a.clientId,
  }),
  'unicode credentials': (f, _a, form, basic) => {
    const id = `${f.person.firstName()}-ünïcødé-漢字`;
    return {
      headers: {
        authorization: basic(id, `${f.lorem.word()}🙂`),
        'content-type': FORM,
      },
      body: form,
      clientId: id,
    };
  },
  'empty Basic credential': () => ({
    headers: { authorization: 'Basic ', 'content-type': FORM },
    body: '',
    clientId: '',
  }),
  'Basic without a colon': (f, _a, form) => ({
    headers: {
      authorization: `Basic ${Buffer.from(f.string.alphanumeric(24)).toString('base64')}`,
      'content-type': FORM,
    },
    body: form,
    clientId: '',
  }),
  'Bearer instead of Basic': (f, _a, form) => ({
    headers: { authorization: `Bearer ${f.string.alphanumeric(40)}`, 'content-type': FORM },
    body: form,
    clientId: '',
  }),
  'GET instead of POST': (_f, a, _form, basic) => ({
    method: 'GET',
    headers: { authorization: basic(a.clientId, a.clientSecret) },
    clientId: a.clientId,
  }),
  'PUT instead of POST': (_f, a, form, basic) => ({
    method: 'PUT',
    headers: { authorization: basic(a.clientId, a.clientSecret), 'content-type': FORM },
    body: form,
    clientId: a.clientId,
  }),
  'DELETE instead of POST': (_f, a, _form, basic) => ({
    method: 'DELETE',
    headers: { authorization: basic(a.clientId, a.clientSecret) },
    clientId: a.clientId,
  }),
};

export const FUZZ_KINDS = Object.keys(KINDS);

/** On the revoke endpoint these leave no valid token to revoke: 200 is a right answer too (RFC 7009 §2.2). */
const REVOKE_INVALID_TOKEN_KINDS = new Set([
  'parameter repeated with another value',
  'empty parameter values',
]);

/**
 * `count` malformed requests to `url`, cycling through every kind, values drawn from `seed`.
 * `account` is the account whose credentials the inputs that carry valid ones use, or a function
 * that names it input by input (the run spreads them over its ordinary accounts: see
 * src/suite/plan.ts); which account it is changes no other value drawn.
 */
export function fuzzInputs(
  seed: number,
  count: number,
  endpoint: Endpoint,
  url: string,
  account: Account | ((index: number) => Account),
  encoding: ClientCredentialEncoding = 'raw',
  /** Form parameters every token request carries besides grant_type (a scope the server demands). */
  tokenParameters: Record<string, string> = {},
): FuzzInput[] {
  const basic = (id: string, secret: string) => `Basic ${basicCredentials(id, secret, encoding)}`;
  const faker = seededFaker(seed, endpoint === 'token' ? 1 : 2);
  const accountAt = typeof account === 'function' ? account : () => account;
  const form =
    endpoint === 'token'
      ? new URLSearchParams({ grant_type: 'client_credentials', ...tokenParameters }).toString()
      : `token=${faker.string.alphanumeric(40)}&token_type_hint=access_token`;
  // An unknown token, even in odd characters, is no malformed revocation: RFC 7009 §2.2 answers it 200.
  const kinds =
    endpoint === 'revoke'
      ? FUZZ_KINDS.filter((kind) => kind !== 'unicode in the parameters')
      : FUZZ_KINDS;
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length] as string;
    const made = (KINDS[kind] as (typeof KINDS)[string])(faker, accountAt(i), form, basic);
    const headers = { accept: 'application/json', ...made.headers };
    return {
      kind,
      ...(endpoint === 'revoke' && REVOKE_INVALID_TOKEN_KINDS.has(kind)
        ? { alsoAccepted: [200] }
        : {}),
      clientId: made.clientId,
      request: {
        method: made.method ?? 'POST',
        url,
        headers,
        ...(made.body === undefined ? {} : { body: made.body }),
      },
    };
  });
}
