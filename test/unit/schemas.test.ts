// Every schema against its own examples and against instances broken on purpose; and the seed's
// literal examples (bodies, header sets) against the schemas that claim to describe them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { hasSchema, SCHEMA_DIR, validate } from '../../src/contract/schemas.ts';
import { packagePath } from '../../src/shared/paths.ts';

interface SchemaFile {
  file: string;
  $id: string;
  required?: string[];
  examples?: unknown[];
}

/** The tool's schemas, the core's and every built-in profile's. */
const SCHEMA_DIRS = [
  SCHEMA_DIR,
  packagePath('specs', 'core', 'schemas'),
  ...readdirSync(packagePath('specs', 'profiles')).map((name) =>
    packagePath('specs', 'profiles', name, 'schemas'),
  ),
].filter((dir) => existsSync(dir));

const SCHEMAS: SchemaFile[] = SCHEMA_DIRS.flatMap((dir) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.schema.json'))
    .sort()
    .map((file) => ({
      file,
      ...(JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Omit<SchemaFile, 'file'>),
    })),
);

/** Every folder of the core and the built-in profiles. */
const LAYERS = [
  packagePath('specs', 'core'),
  ...readdirSync(packagePath('specs', 'profiles')).map((name) =>
    packagePath('specs', 'profiles', name),
  ),
];

const ID = (name: string): string => `urn:oauth-conformance:schemas:${name}`;

const readText = (...parts: string[]): string => readFileSync(packagePath(...parts), 'utf8');
const readJson = (...parts: string[]): unknown => JSON.parse(readText(...parts));

/** Schemas of the project's own data: their examples are the files in specs/. */
const DATA_BACKED: Record<string, () => unknown[]> = {
  'cases.schema.json': () =>
    LAYERS.filter((dir) => existsSync(`${dir}/cases`)).flatMap((dir) =>
      readdirSync(`${dir}/cases`)
        .filter((name) => name.endsWith('.json'))
        .map((name) => JSON.parse(readFileSync(`${dir}/cases/${name}`, 'utf8')) as unknown),
    ),
  'profile.schema.json': () =>
    LAYERS.filter((dir) => existsSync(`${dir}/profile.json`)).map(
      (dir) => JSON.parse(readFileSync(`${dir}/profile.json`, 'utf8')) as unknown,
    ),
  'requirements.schema.json': () =>
    LAYERS.filter((dir) => existsSync(`${dir}/requirements.json`)).map(
      (dir) => JSON.parse(readFileSync(`${dir}/requirements.json`, 'utf8')) as unknown,
    ),
  'client-requirements.schema.json': () => [readJson('specs', 'client-requirements.json')],
  'client-scenarios.schema.json': () => [readJson('specs', 'client-scenarios.json')],
  // Only $defs, one per field; the header-set schemas and their examples exercise them.
  'headers.schema.json': () =>
    SCHEMAS.filter((s) => /^headers-\d{3}\./.test(s.file)).flatMap((s) => s.examples ?? []),
};

const HEADER_STATUSES = [200, 400, 401, 403, 429, 500, 503];

function expectValid(ref: string, data: unknown): void {
  const result = validate(ref, data);
  expect(result.errors, `${ref}: ${JSON.stringify(data)}`).toEqual([]);
  expect(result.ok).toBe(true);
}

function expectInvalid(ref: string, data: unknown, message?: string): void {
  const result = validate(ref, data);
  expect(result.ok, `${ref} accepted ${JSON.stringify(data)}`).toBe(false);
  if (message) expect(result.errors.join('\n')).toContain(message);
}

describe('schemas/ examples', () => {
  test('every schema has examples, or is checked against its data in specs/', () => {
    for (const schema of SCHEMAS) {
      const has = (schema.examples?.length ?? 0) > 0 || schema.file in DATA_BACKED;
      expect(has, schema.file).toBe(true);
    }
  });

  test.each(
    SCHEMAS.flatMap((schema) =>
      (schema.examples ?? []).map((example, i) => [schema.file, i, schema.$id, example] as const),
    ),
  )('%s [example %i]', (_file, _i, id, example) => {
    expectValid(id, example);
  });

  test.each(Object.entries(DATA_BACKED))('%s [the data in specs/]', (file, load) => {
    const schema = SCHEMAS.find((s) => s.file === file);
    expect(schema, file).toBeDefined();
    const instances = load();
    expect(instances.length).toBeGreaterThan(0);
    for (const instance of instances) expectValid(schema?.$id ?? '', instance);
  });
});

describe('schemas/ broken instances', () => {
  test('token-response [expires_in "3600"]', () => {
    expectInvalid(
      ID('token-response'),
      { access_token: 'eyJhbGciOiJFUzUxMiJ9.e30.c2ln', expires_in: '3600', token_type: 'Bearer' },
      '/expires_in must be integer',
    );
  });

  test('token-response [access_token empty, token_type missing]', () => {
    const result = validate(ID('token-response'), { access_token: '', expires_in: 3600 });
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("(root) must have required property 'token_type'");
    expect(result.errors).toContain('/access_token must NOT have fewer than 1 characters');
  });

  test('oauth-error [error "nope"]', () => {
    expectInvalid(
      ID('oauth-error'),
      { error: 'nope', error_description: 'x' },
      '/error must be equal to one of the allowed values',
    );
  });

  test('oauth-error [no error_description]', () => {
    expectInvalid(
      ID('oauth-error'),
      { error: 'invalid_client' },
      "must have required property 'error_description'",
    );
  });

  test('oauth-error [error_description empty]', () => {
    expectInvalid(ID('oauth-error'), { error: 'invalid_client', error_description: '' });
  });

  test.each([
    [400, 'invalid_client'],
    [401, 'invalid_request'],
    [403, 'invalid_client'],
    [429, 'server_error'],
    [500, 'rate_limited'],
  ])('oauth-error status-%i [code %s not documented for it]', (status, error) => {
    expectInvalid(`${ID('oauth-error')}#/$defs/status-${status}`, {
      error,
      error_description: 'x',
    });
  });

  test('oauth-error [status-400 still requires error_description]', () => {
    expectInvalid(
      `${ID('oauth-error')}#/$defs/status-400`,
      { error: 'invalid_request' },
      "must have required property 'error_description'",
    );
  });

  test('oauth-error [no body documented for 200 or 503]', () => {
    expect(hasSchema(`${ID('oauth-error')}#/$defs/status-503`)).toBe(false);
    expect(hasSchema(`${ID('oauth-error')}#/$defs/status-200`)).toBe(false);
  });

  test('atlas-api-error [an OAuth error body]', () => {
    expectInvalid(
      ID('atlas-api-error'),
      { error: 'rate_limited', error_description: 'x' },
      '/error must be integer',
    );
  });

  test('atlas-api-error [errorCode lower-case]', () => {
    expectInvalid(ID('atlas-api-error'), { error: 429, errorCode: 'rate_limited', reason: 'x' });
  });

  test('config [unknown key]', () => {
    const result = validate(ID('config'), { target: 'https://cloud.mongodb.com', tagret: 'x' });
    expect(result.ok).toBe(false);
    expect(result.errors).toContain('(root): unknown key "tagret"');
  });

  test('config [unknown key inside an account]', () => {
    expectInvalid(
      ID('config'),
      { accounts: { primary: { clientId: 'a', clientSecret: 'b', secret: 'c' } } },
      '/accounts/primary: unknown key "secret"',
    );
  });

  test('config [account without clientSecret]', () => {
    expectInvalid(
      ID('config'),
      { accounts: { primary: { clientId: 'a' } } },
      "must have required property 'clientSecret'",
    );
  });

  test('config [target not http(s), rateLimit 0, profile unknown]', () => {
    const result = validate(ID('config'), {
      target: 'ftp://example.com',
      rateLimit: { requests: 0, windowSeconds: 60 },
      profile: '',
    });
    expect(result.ok).toBe(false);
    const text = result.errors.join('\n');
    expect(text).toContain('/target must match pattern');
    expect(text).toContain('/rateLimit/requests must be >= 1');
    expect(text).toContain('/profile must NOT have fewer than 1 characters');
  });

  test('config [path without leading slash]', () => {
    expectInvalid(ID('config'), { paths: { token: 'api/oauth/token' } }, '/paths/token');
  });

  test('envelope [no content]', () => {
    expectInvalid(ID('envelope'), { status: 200 }, "must have required property 'content'");
  });

  test('envelope [status not an HTTP status]', () => {
    expectInvalid(ID('envelope'), { status: 42, content: {} }, '/status must be >= 100');
  });

  test.each(
    HEADER_STATUSES.flatMap((status) => {
      const schema = SCHEMAS.find((s) => s.file === `headers-${status}.schema.json`);
      return (schema?.required ?? []).map((name) => [status, name] as const);
    }),
  )('headers-%i [missing %s]', (status, name) => {
    const schema = SCHEMAS.find((s) => s.file === `headers-${status}.schema.json`);
    const example = { ...(schema?.examples?.[0] as Record<string, string>) };
    delete example[name];
    expectInvalid(ID(`headers-${status}`), example, `must have required property '${name}'`);
  });

  test.each([
    ['content-type-json', 'text/json'],
    ['date', '23 Nov 2026 07:00:00 GMT'],
    ['date', 'Mon, 23 Nov 2026 07:00:00 UTC'],
    ['strict-transport-security', 'includesubdomains'],
    ['vary-accept-encoding', 'origin'],
    ['x-mongodb-service-version', 'versionString=v1'],
    ['server-mdbws', 'nginx'],
    ['www-authenticate-digest', 'Basic realm="MMS Public API"'],
    ['www-authenticate-digest', 'Digest realm="other", nonce="n"'],
    ['www-authenticate-digest', 'Digest realm="MMS Public API"'],
    ['retry-after', '1.5'],
    ['retry-after', 'soon'],
    ['content-length', '-1'],
  ])('headers $defs/%s [%s]', (def, value) => {
    expectInvalid(`${ID('headers')}#/$defs/${def}`, value);
  });

  test.each([
    ['retry-after', '120'],
    ['retry-after', 'Mon, 23 Nov 2026 07:00:00 GMT'],
    ['retry-after', 'Monday, 23-Nov-26 07:00:00 GMT'],
    ['retry-after', 'Mon Nov  3 07:00:00 2026'],
    ['strict-transport-security', 'max-age=31536000; includesubdomains;'],
    ['vary-accept-encoding', 'origin, accept-encoding'],
    ['vary-accept-encoding', '*'],
    ['server-mdbws', 'mdbws'],
  ])('headers $defs/%s [%s is valid]', (def, value) => {
    expectValid(`${ID('headers')}#/$defs/${def}`, value);
  });

  test('headers [not an object]', () => {
    expectInvalid(ID('headers'), 'date: x', 'must be object');
  });

  test('rfc6749-error [a double quote in error]', () => {
    expectInvalid(ID('rfc6749-error'), { error: 'bad"code' }, '/error must match pattern');
  });

  test('rfc6749-error [no error]', () => {
    expectInvalid(
      ID('rfc6749-error'),
      { error_description: 'x' },
      "must have required property 'error'",
    );
  });

  test('rfc6749-token-response [no token_type, expires_in negative]', () => {
    const result = validate(ID('rfc6749-token-response'), {
      access_token: 'abc',
      expires_in: -1,
    });
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("(root) must have required property 'token_type'");
    expect(result.errors).toContain('/expires_in must be >= 0');
  });

  test('rfc6749-token-response [access_token with a newline]', () => {
    expectInvalid(
      ID('rfc6749-token-response'),
      { access_token: 'abc\ndef', token_type: 'Bearer' },
      '/access_token must match pattern',
    );
  });

  test('cases [fault trigger without fault; title with should]', () => {
    const result = validate(ID('cases'), {
      cases: [
        {
          id: 'x',
          title: 'it should fail',
          endpoint: 'token',
          trigger: 'fault',
          request: {},
          requirements: ['token.200.status'],
        },
      ],
    });
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("/cases/0 must have required property 'fault'");
    expect(result.errors).toContain('/cases/0/title must NOT be valid');
  });

  test('cases [unknown key in a case]', () => {
    expectInvalid(
      ID('cases'),
      {
        cases: [
          {
            id: 'x',
            title: 'abc',
            endpoint: 'token',
            trigger: 'request',
            request: {},
            requirements: ['a'],
            expect: 200,
          },
        ],
      },
      '/cases/0: unknown key "expect"',
    );
  });

  test('profile [no description, a name that is not a folder name]', () => {
    expectInvalid(
      ID('profile'),
      { extends: 'Atlas!' },
      "must have required property 'description'",
    );
    expectInvalid(
      ID('profile'),
      { description: 'x', extends: 'Atlas!' },
      '/extends must match pattern',
    );
  });

  test('requirements [statement with should, unknown level]', () => {
    const result = validate(ID('requirements'), {
      requirements: [
        {
          id: 'token.x',
          endpoint: 'token',
          level: 'nice-to-have',
          statement: 'the server should answer',
          sources: [{ document: 'RFC 6749', quote: 'abc' }],
          check: { name: 'checkStatus' },
        },
      ],
    });
    expect(result.ok).toBe(false);
    const text = result.errors.join('\n');
    expect(text).toContain('/requirements/0/level must be equal to one of the allowed values');
    expect(text).toContain('/requirements/0/statement must NOT be valid');
  });

  test('requirements [check name not a check]', () => {
    expectInvalid(
      ID('requirements'),
      {
        requirements: [
          {
            id: 'token.x',
            endpoint: 'token',
            level: 'documented',
            statement: 'the server answers 200',
            sources: [{ document: 'RFC 6749', quote: 'abc' }],
            check: { name: 'statusIs200' },
          },
        ],
      },
      '/requirements/0/check/name must match pattern',
    );
  });
});

describe('the seed against the schemas', () => {
  const seed = readText('specs', 'profiles', 'atlas', 'sources', '000_576e08fde29da5ee.txt');
  /** The example bodies: the blocks that open with a line `{` and close with a line `}`. */
  const bodies = [...seed.matchAll(/^\{\n[\s\S]*?\n\}$/gm)].map(
    (match) => JSON.parse(match[0]) as Record<string, unknown>,
  );
  const errors = bodies.filter((body) => 'error' in body);
  const STATUS_OF: Record<string, number> = {
    invalid_request: 400,
    unsupported_grant_type: 400,
    invalid_grant: 400,
    invalid_client: 401,
    access_denied: 403,
    rate_limited: 429,
    server_error: 500,
  };

  test('the seed has one token response and seven error bodies', () => {
    expect(bodies).toHaveLength(8);
    expect(bodies[0]).toHaveProperty('access_token');
    expect(errors.map((body) => body.error)).toEqual(Object.keys(STATUS_OF));
  });

  test('token-response [the seed example]', () => {
    expectValid(ID('token-response'), bodies[0]);
    expectValid(ID('rfc6749-token-response'), bodies[0]);
  });

  test.each(Object.entries(STATUS_OF))(
    'oauth-error [the seed %s body, status-%i]',
    (code, status) => {
      const body = errors.find((candidate) => candidate.error === code);
      expect(body, code).toBeDefined();
      expectValid(ID('oauth-error'), body);
      expectValid(`${ID('oauth-error')}#/$defs/status-${status}`, body);
      expectValid(ID('rfc6749-error'), body);
    },
  );

  test.each(Object.entries(STATUS_OF))(
    'oauth-error [the seed %s body, only at status-%i]',
    (code, status) => {
      const body = errors.find((candidate) => candidate.error === code);
      for (const other of [400, 401, 403, 429, 500].filter((s) => s !== status)) {
        expectInvalid(`${ID('oauth-error')}#/$defs/status-${other}`, body);
      }
    },
  );

  /** The seed's header blocks, placeholders filled in, names (and case-insensitive values) lower-cased. */
  const headerSets = new Map<number, Record<string, string>>();
  for (const block of seed.matchAll(/^HTTP\/1\.1 (\d{3}) .*\n((?:[A-Za-z-]+: .*\n)+)/gm)) {
    const headers: Record<string, string> = {};
    for (const line of (block[2] ?? '').trim().split('\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .replace('{dateInUnixFormat}', 'Mon, 23 Nov 2026 07:00:00 GMT')
        .replace('{requestLengthInBytes}', '42')
        .replace('{retryAfterValue}', '60')
        .replace('{gitHash}', '0123456789abcdef')
        .replace('{ApplicationVersion}', 'v20261123')
        .replace('{nonce}', 'bm9uY2U=');
      headers[name] = ['content-type', 'strict-transport-security', 'vary'].includes(name)
        ? value.toLowerCase()
        : value;
    }
    headerSets.set(Number(block[1]), headers);
  }

  test('the seed documents a header set for each of 200 400 401 403 429 500 503', () => {
    expect([...headerSets.keys()].sort()).toEqual(HEADER_STATUSES);
  });

  test.each(HEADER_STATUSES)('headers-%i [the seed set, placeholders filled]', (status) => {
    expectValid(ID(`headers-${status}`), headerSets.get(status));
  });

  // The reference mock answers with these (src/mock/responses.ts): they are the seed's, verbatim.
  test.each(HEADER_STATUSES)(
    'headers-%i [x-documented-set is the seed set as written]',
    (status) => {
      const block = [...seed.matchAll(/^HTTP\/1\.1 (\d{3}) .*\n((?:[A-Za-z-]+: .*\n)+)/gm)].find(
        (match) => Number(match[1]) === status,
      );
      const written = (block?.[2] ?? '')
        .trim()
        .split('\n')
        .map((line) => [
          line.slice(0, line.indexOf(':')),
          line.slice(line.indexOf(':') + 1).trim(),
        ]);
      const schema = SCHEMAS.find((candidate) => candidate.$id === ID(`headers-${status}`)) as
        | (SchemaFile & { 'x-documented-set'?: unknown })
        | undefined;
      expect(schema?.['x-documented-set']).toEqual(written);
    },
  );

  test('oauth-error [its examples are the seed error bodies, in order: the mock error table]', () => {
    const schema = SCHEMAS.find((candidate) => candidate.$id === ID('oauth-error'));
    expect(schema?.examples).toEqual(errors);
  });

  const readme = readText('specs', 'profiles', 'atlas', 'sources', 'seeds-README.md');
  const live429 = JSON.parse(readme.match(/`(\{"detail":[^`]*\})`/)?.[1] ?? 'null') as unknown;

  test('atlas-api-error [the live 429 body of the seeds README]', () => {
    expect(live429).toMatchObject({ error: 429, errorCode: 'RATE_LIMITED' });
    expectValid(ID('atlas-api-error'), live429);
  });

  test('oauth-error [the live 429 body is the known drift]', () => {
    expectInvalid(ID('oauth-error'), live429, "must have required property 'error_description'");
    expectInvalid(`${ID('oauth-error')}#/$defs/status-429`, live429);
  });
});
