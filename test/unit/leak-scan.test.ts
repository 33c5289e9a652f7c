// The last net over a run's reports: any known secret, in any encoding, or any JWT is a leak.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findLeaks } from '../../src/leak-scan.ts';

const SECRET = 'opaque-token-0123456789abcdef';

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'leak-scan-')), 'report.xml');
  writeFileSync(path, content);
  return path;
}

test('findLeaks [a clean report]', () => {
  expect(findLeaks([file('<testcase name="x">[REDACTED]</testcase>')], [SECRET])).toEqual([]);
});

test.each([
  ['raw', SECRET],
  ['base64', Buffer.from(SECRET).toString('base64')],
  ['percent-encoded in XML', encodeURIComponent(`${SECRET}&`).replace(/&/g, '&amp;')],
])('findLeaks [a known secret, %s]', (_form, text) => {
  const path = file(`<system-out>${text}</system-out>`);
  expect(findLeaks([path], [SECRET])).toEqual([{ file: path, what: 'a known secret' }]);
});

test('findLeaks [an unknown JWT]', () => {
  const jwt = 'eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  const path = file(`{"access_token":"${jwt}"}`);
  expect(findLeaks([path], [])).toEqual([{ file: path, what: 'a JWT' }]);
});
