// The last net over a run's reports: any known secret, in any encoding or escaped spelling, or any
// JWT is a leak; a secret that is a word of the report's own text is not searched for there.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findLeaks, type WrittenReport } from '../../src/report/leak-scan.ts';

const SECRET = 'opaque/token+0123456789=abcdef';

function file(content: string, skeleton = '<testcase name="x"></testcase>'): WrittenReport {
  const path = join(mkdtempSync(join(tmpdir(), 'leak-scan-')), 'report.xml');
  writeFileSync(path, content);
  return { path, skeleton };
}

test('findLeaks [a clean report]', () => {
  expect(findLeaks([file('<testcase name="x">[REDACTED]</testcase>')], [SECRET]).leaks).toEqual([]);
});

const hex = (text: string, upper: boolean) =>
  [...Buffer.from(text)]
    .map((b) => `%${b.toString(16).padStart(2, '0')}`)
    .map((p) => (upper ? p.toUpperCase() : p))
    .join('');

// Every spelling a target that echoes the secret back may use (issue 15, item 1).
test.each([
  ['raw', SECRET],
  ['base64', Buffer.from(SECRET).toString('base64')],
  ['base64url', Buffer.from(SECRET).toString('base64url')],
  ['percent-encoded in XML', encodeURIComponent(`${SECRET}&`).replace(/&/g, '&amp;')],
  ['lower-case percent', hex(SECRET, false)],
  ['upper-case percent', hex(SECRET, true)],
  ['JSON \\/ (PHP)', SECRET.replaceAll('/', '\\/')],
  [
    'JSON \\uXXXX everywhere (.NET, Go)',
    [...SECRET].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  ],
  ['JSON \\uXXXX for some characters (Python ensure_ascii with +)', SECRET.replace('+', '\\u002b')],
  ['numeric character references', [...SECRET].map((c) => `&#${c.charCodeAt(0)};`).join('')],
  ['hex character references', SECRET.replace('/', '&#x2F;').replace('=', '&#X3d;')],
  [
    'named character references',
    SECRET.replace('/', '&sol;').replace('+', '&plus;').replace('=', '&equals;'),
  ],
  ['JSON-escaped, then XML-escaped', SECRET.replaceAll('/', '\\/').replace('+', '&#x2B;')],
])('findLeaks [a known secret, %s]', (_form, text) => {
  const report = file(`<system-out>${text}</system-out>`);
  expect(findLeaks([report], [SECRET]).leaks).toEqual([
    { file: report.path, what: 'a known secret' },
  ]);
});

test('findLeaks [an unknown JWT]', () => {
  const jwt = 'eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  const report = file(`{"access_token":"${jwt}"}`);
  expect(findLeaks([report], []).leaks).toEqual([{ file: report.path, what: 'a JWT' }]);
});

// A token that is a word of the report's own markup: no leak, and counted (never shown).
test('findLeaks [a token that is the word testcase]', () => {
  const report = file('<testcase name="a">[REDACTED]</testcase>', '<testcase name="a"></testcase>');
  expect(findLeaks([report], ['testcase'])).toEqual({ leaks: [], ordinaryWords: 1 });
});

// Spellings a client program may print (issue 15's canary, found by the break-it session).
test.each([
  [
    'base64 wrapped at 76 columns',
    Buffer.from(`${SECRET}${SECRET}${SECRET}`)
      .toString('base64')
      .replace(/(.{76})/g, '$1\n'),
  ],
  ['a hex dump', Buffer.from(SECRET).toString('hex')],
  ['an upper-case hex dump', Buffer.from(SECRET).toString('hex').toUpperCase()],
  [
    'dots and slashes escaped with a backslash',
    SECRET.replaceAll('/', '\\/').replaceAll('+', '\\+'),
  ],
])('findLeaks [a known secret, %s]', (_form, text) => {
  const secret = _form.startsWith('base64') ? `${SECRET}${SECRET}${SECRET}` : SECRET;
  const report = file(`<system-out>${text}</system-out>`);
  expect(findLeaks([report], [secret]).leaks).toEqual([
    { file: report.path, what: 'a known secret' },
  ]);
});

test('findLeaks [a secret JSON-escaped twice: JSON logged inside a JSON string]', () => {
  // A PHP encoder's \/ inside a JSON text that is itself a string value: two unescapings.
  const inner = `{"token":"${SECRET.replaceAll('/', '\\/')}"}`;
  const twice = JSON.stringify(inner);
  const report = file(`<system-out>${twice}</system-out>`);
  expect(findLeaks([report], [SECRET]).leaks).toEqual([
    { file: report.path, what: 'a known secret' },
  ]);
});
