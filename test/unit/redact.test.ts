// Redaction: a registered secret goes in every encoding a report could carry it in; credentials
// that look like credentials go even when nobody registered them; prose stays.
import { describe, expect, test } from 'vitest';
import {
  basicCredentials,
  createRedactor,
  encodingsDiffer,
  formUrlEncode,
  REDACTED,
  redactBody,
  redactForm,
  redactHeaders,
  redactHeaderValue,
  redactJson,
  secretPattern,
} from '../../src/shared/redact.ts';

const SECRET = 'p@ss wörd/+="\\&end';
const CLIENT_ID = 'mdb_sa_id_0123456789abcdef01234567';

describe('createRedactor', () => {
  const redactor = createRedactor([SECRET]);

  test.each([
    ['raw', SECRET],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64 unpadded', Buffer.from(SECRET).toString('base64').replace(/=+$/, '')],
    ['base64url', Buffer.from(SECRET).toString('base64url')],
    ['percent-encoded', encodeURIComponent(SECRET)],
    ['form-encoded', new URLSearchParams({ x: SECRET }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
  ])('redact [secret %s]', (_form, encoded) => {
    const text = `before ${encoded} after`;
    const out = redactor.redact(text);
    expect(out).toBe(`before ${REDACTED} after`);
  });

  test('redact [the secret in a JSON document]', () => {
    const out = redactor.redact(JSON.stringify({ note: `secret is ${SECRET}` }));
    expect(out).toBe(JSON.stringify({ note: `secret is ${REDACTED}` }));
  });

  test('redact [every occurrence]', () => {
    expect(redactor.redact(`${SECRET}|${SECRET}`)).toBe(`${REDACTED}|${REDACTED}`);
  });

  test('addCredentials [the Basic header value]', () => {
    const secret = 'mdb_sa_sk_abcdefghijklmnop';
    const r = createRedactor();
    r.addCredentials(CLIENT_ID, secret);
    const value = basicCredentials(CLIENT_ID, secret);
    expect(value).toBe(Buffer.from(`${CLIENT_ID}:${secret}`).toString('base64'));
    const out = r.redact(`authorization: Basic ${value}\nlogged: ${value}`);
    expect(out).not.toContain(value);
    expect(out).not.toContain(secret);
    expect(out).toBe(`authorization: Basic ${REDACTED}\nlogged: ${REDACTED}`);
  });

  test('addCredentials [the id:secret pair, client id kept elsewhere]', () => {
    const r = createRedactor();
    r.addCredentials(CLIENT_ID, 'a-client-secret-value');
    expect(r.redact(`${CLIENT_ID}:a-client-secret-value`)).toBe(REDACTED);
    expect(r.redact(`client ${CLIENT_ID}`)).toBe(`client ${CLIENT_ID}`);
  });

  test('redact [a JWT, unregistered]', () => {
    const jwt =
      'eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJtZGJfc2FfaWRfMCIsImV4cCI6MTgwMDAwMzYwMH0.c2lnbmF0dXJl';
    expect(createRedactor().redact(`token ${jwt}.`)).toBe(`token ${REDACTED}.`);
  });

  test('redact [a JWT with an empty signature, unregistered]', () => {
    expect(createRedactor().redact('t=eyJhbGciOiJub25lIn0.e30.')).toBe(`t=${REDACTED}`);
  });

  test('redact [an Atlas client secret, unregistered]', () => {
    expect(createRedactor().redact('secret: mdb_sa_sk_Zx9-_q1, next')).toBe(
      `secret: ${REDACTED}, next`,
    );
  });

  test.each(['Basic', 'Bearer', 'Digest', 'bearer'])(
    'redact [%s followed by a long credential, unregistered]',
    (scheme) => {
      expect(createRedactor().redact(`${scheme} QWxhZGRpbjpvcGVuIHNlc2FtZQ==`)).toBe(
        `${scheme} ${REDACTED}`,
      );
    },
  );

  test.each(['x', 'abc', '1234567'])('redact [short value %j, not replaced by value]', (short) => {
    // Only the raw form is too short; longer encodings of it (base64 of 7 bytes) may be registered.
    const r = createRedactor([short]);
    expect(r.redact(`x abc 1234567 ${short}`)).toBe(`x abc 1234567 ${short}`);
  });

  test('redact [an 8-character value is replaced]', () => {
    expect(createRedactor(['12345678']).redact('pin 12345678')).toBe(`pin ${REDACTED}`);
  });

  test.each([
    'the request has no Basic credential',
    'undecodable Basic credential',
    'a malformed Bearer token was sent',
    'Digest realm="MMS Public API", nonce="bm9uY2U="',
    'expected 401 invalid_client, got 400 invalid_request',
    'the token endpoint answered 200',
  ])('redact [prose %j is left alone]', (text) => {
    expect(createRedactor([SECRET]).redact(text)).toBe(text);
  });

  test('add [empty value ignored]', () => {
    const r = createRedactor();
    r.add('');
    expect(r.size).toBe(0);
    expect(r.redact('nothing here')).toBe('nothing here');
  });

  test('add [longest form first, no half-replaced base64]', () => {
    // The raw secret is inside its own percent-encoded form; whichever is longer goes whole.
    const secret = 'aaaaaaaa/bbbbbbbb';
    const r = createRedactor([secret]);
    expect(r.redact(encodeURIComponent(secret))).toBe(REDACTED);
    expect(r.redact(secret)).toBe(REDACTED);
  });
});

describe('redactHeaderValue', () => {
  test('redactHeaderValue [Authorization keeps the scheme]', () => {
    expect(redactHeaderValue('Authorization', 'Basic dXNlcjpwYXNz')).toBe(`Basic ${REDACTED}`);
    expect(redactHeaderValue('authorization', 'opaque')).toBe(REDACTED);
  });

  test('redactHeaders [cookies gone, others kept]', () => {
    expect(
      redactHeaders({
        'set-cookie': 'session=abc',
        cookie: 'a=b',
        'proxy-authorization': 'Bearer xyz',
        'content-type': 'application/json',
      }),
    ).toEqual({
      'set-cookie': REDACTED,
      cookie: REDACTED,
      'proxy-authorization': `Bearer ${REDACTED}`,
      'content-type': 'application/json',
    });
  });
});

describe('redactBody', () => {
  const pretty = JSON.stringify(
    { access_token: 'opaque-token-value', expires_in: 3600, token_type: 'Bearer' },
    null,
    2,
  );

  test('redactBody [pretty JSON keeps its layout]', () => {
    const out = redactBody(pretty, 'application/json');
    expect(out).toBe(pretty.replace('"opaque-token-value"', `"${REDACTED}"`));
    expect(out).toContain('\n  "expires_in": 3600,\n');
  });

  test('redactBody [compact JSON, spaces around the colon, escaped quotes]', () => {
    const body = '{"access_token" : "a\\"b","refresh_token":"r","error":"x"}';
    expect(redactBody(body, 'application/json;charset=utf-8')).toBe(
      `{"access_token" : "${REDACTED}","refresh_token":"${REDACTED}","error":"x"}`,
    );
  });

  test('redactBody [JSON, no content type]', () => {
    expect(redactBody('{"client_secret":"s"}', undefined)).toBe(`{"client_secret":"${REDACTED}"}`);
  });

  test('redactBody [form token=]', () => {
    expect(
      redactBody(
        'token=abc.def.ghi&token_type_hint=access_token',
        'application/x-www-form-urlencoded',
      ),
    ).toBe(`token=${REDACTED}&token_type_hint=access_token`);
  });

  test('redactForm [client_secret, grant_type kept]', () => {
    expect(redactForm('grant_type=client_credentials&client_secret=s3cr3t&x')).toBe(
      `grant_type=client_credentials&client_secret=${REDACTED}&x`,
    );
  });

  // An empty token hides nothing: the report must not say a token was sent.
  test('redactForm [empty secret value shown as empty]', () => {
    expect(redactForm('token=&token_type_hint=')).toBe('token=&token_type_hint=');
  });

  test('redactForm [percent-encoded name]', () => {
    expect(redactForm('client%5Fsecret=s3cr3t')).toBe(`client%5Fsecret=${REDACTED}`);
  });

  test('redactForm [undecodable name left alone]', () => {
    expect(redactForm('%E0%A4%A=x')).toBe('%E0%A4%A=x');
  });

  test('redactJson [nested, strings only]', () => {
    expect(
      redactJson({ content: { access_token: 'x', expires_in: 3600 }, list: [{ token: 't' }] }),
    ).toEqual({
      content: { access_token: REDACTED, expires_in: 3600 },
      list: [{ token: REDACTED }],
    });
  });
});

describe('basicCredentials', () => {
  // RFC 6749 §2.3.1 and Appendix B: id and secret form-urlencoded, then joined and base64-encoded.
  test('raw: base64 of id:secret as issued', () => {
    expect(basicCredentials('a_b', 'q+F/=% z', 'raw')).toBe(
      Buffer.from('a_b:q+F/=% z').toString('base64'),
    );
  });

  test('form-urlencoded: each part encoded first (space as +, reserved as %XX)', () => {
    expect(basicCredentials('a_b', 'q+F/=% z', 'form-urlencoded')).toBe(
      Buffer.from('a_b:q%2BF%2F%3D%25+z').toString('base64'),
    );
    expect(formUrlEncode(' %&+£€')).toBe('+%25%26%2B%C2%A3%E2%82%AC');
  });

  test('encodingsDiffer: only characters outside letters, digits and -._*', () => {
    expect(encodingsDiffer('mdb_sa_id_0123', 'mdb_sa_sk_abcXYZ')).toBe(false);
    expect(encodingsDiffer('mdb_sa_id_0123', 'abc+def')).toBe(true);
    expect(encodingsDiffer('id:with:colons', 'x')).toBe(true);
  });

  test('the redactor knows both encodings of a Basic value', () => {
    const redactor = createRedactor();
    redactor.addCredentials('conformance_client', 'q+Fz/8w0bXk=');
    for (const encoding of ['raw', 'form-urlencoded'] as const) {
      const value = basicCredentials('conformance_client', 'q+Fz/8w0bXk=', encoding);
      expect(redactor.redact(`Basic ${value}`)).not.toContain(value);
    }
  });
});

describe('secretPattern', () => {
  const all = (pattern: RegExp, text: string) => [...text.matchAll(pattern)].map((m) => m[0]);

  test('the longest secret at an offset wins, whichever order they come in', () => {
    for (const order of [
      ['abc', 'abcdef', 'abcdefgh'],
      ['abcdefgh', 'abc', 'abcdef'],
    ])
      expect(all(secretPattern(order), 'x abcdefghij abcdeX abcd')).toEqual([
        'abcdefgh',
        'abc',
        'abc',
      ]);
  });

  test('secrets that share a long prefix, or are the prefix of another, are each found', () => {
    const shared = 'eyJhbGciOiJFUzUxMiIsInR5cCI6IkpXVCJ9';
    const secrets = [`${shared}.one`, `${shared}.two`, `${shared}.t`, shared];
    expect(all(secretPattern(secrets), `[${shared}.two] [${shared}.tw] [${shared}.one]`)).toEqual([
      `${shared}.two`,
      `${shared}.t`,
      `${shared}.one`,
    ]);
  });

  test('regular-expression characters in a secret are literal', () => {
    const pattern = secretPattern(['a.b*c', '(x|y)+', 'p[q]\\r$']);
    expect(all(pattern, 'aXbbc a.b*c (x|y)+ xy p[q]\\r$')).toEqual(['a.b*c', '(x|y)+', 'p[q]\\r$']);
  });

  test('no secrets, or only empty ones: matches nothing (not the empty string everywhere)', () => {
    expect(all(secretPattern([]), 'anything')).toEqual([]);
    expect(all(secretPattern(['']), 'anything')).toEqual([]);
  });

  test('astral characters and lone surrogates are matched as written', () => {
    const pattern = secretPattern(['k\u{1F511}ey', 'lo\uD800ne']);
    expect(all(pattern, 'a k\u{1F511}ey b lo\uD800ne')).toEqual(['k\u{1F511}ey', 'lo\uD800ne']);
  });

  test('agrees with a plain search on random secrets and texts (seeded)', () => {
    let state = 7;
    const random = (n: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    const alphabet = 'ab.%\\';
    const word = (length: number) =>
      Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    for (let round = 0; round < 200; round++) {
      const secrets = Array.from({ length: 1 + random(6) }, () => word(1 + random(5)));
      const text = word(40);
      // The reference: at each offset the longest secret that starts there, then past it.
      const expected: string[] = [];
      for (let i = 0; i < text.length; ) {
        const hit = secrets
          .filter((s) => text.startsWith(s, i))
          .sort((a, b) => b.length - a.length)[0];
        if (hit) {
          expected.push(hit);
          i += hit.length;
        } else i += 1;
      }
      expect(all(secretPattern(secrets), text)).toEqual(expected);
    }
  });
});
