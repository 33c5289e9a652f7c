// Content codings (RFC 9110 §8.4): a body is judged by its content; the coding is recorded, and
// a body that cannot be decoded says why instead of handing raw bytes to the checks.
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { decodeContent } from '../../src/target/content-coding.ts';

const JSON_BODY = Buffer.from('{"error":"invalid_client","error_description":"x"}');
const CAP = { maxBytes: 1024 * 1024, truncated: false };

describe('decodeContent', () => {
  test.each([
    ['gzip', gzipSync(JSON_BODY)],
    ['x-gzip', gzipSync(JSON_BODY)],
    ['deflate', deflateSync(JSON_BODY)],
    ['br', brotliCompressSync(JSON_BODY)],
    ['GZIP', gzipSync(JSON_BODY)],
  ])('%s is decoded and recorded', (coding, wire) => {
    const out = decodeContent(wire, coding, CAP);
    expect(out.bytes.toString()).toBe(JSON_BODY.toString());
    expect(out.coding).toEqual({ codings: [coding.toLowerCase()], wireBytes: wire.length });
  });

  test('raw deflate (without the zlib wrapper) is decoded too', () => {
    const out = decodeContent(deflateRawSync(JSON_BODY), 'deflate', CAP);
    expect(out.bytes.toString()).toBe(JSON_BODY.toString());
  });

  test('codings applied in order are undone in reverse', () => {
    const wire = brotliCompressSync(gzipSync(JSON_BODY));
    const out = decodeContent(wire, 'gzip, br', CAP);
    expect(out.bytes.toString()).toBe(JSON_BODY.toString());
    expect(out.coding?.codings).toEqual(['gzip', 'br']);
  });

  test('no coding, or identity, leaves the body as it is', () => {
    expect(decodeContent(JSON_BODY, undefined, CAP)).toEqual({
      bytes: JSON_BODY,
      truncated: false,
    });
    expect(decodeContent(JSON_BODY, 'identity', CAP).coding).toBeUndefined();
  });

  test('an unknown coding is named, and the body not handed on', () => {
    const out = decodeContent(Buffer.from('xyz'), 'zstd', CAP);
    expect(out.bytes.length).toBe(0);
    expect(out.coding?.problem).toContain('"zstd", which the request did not accept');
  });

  test('corrupt data is named', () => {
    const out = decodeContent(Buffer.from('not gzip at all'), 'gzip', CAP);
    expect(out.coding?.problem).toMatch(/^the body does not decode as gzip/);
  });

  test('a body that inflates past the cap stops at the cap (a decompression bomb)', () => {
    const wire = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    const out = decodeContent(wire, 'gzip', { maxBytes: 1024 * 1024, truncated: false });
    expect(out.truncated).toBe(true);
    expect(out.coding?.problem).toContain('decodes to more than 1048576 bytes');
  });

  test('a wire body cut at the read cap is decoded as far as it goes', () => {
    const text = Buffer.from(`{"a":"${'b'.repeat(100_000)}"}`);
    const wire = gzipSync(text);
    const out = decodeContent(wire.subarray(0, Math.floor(wire.length / 2)), 'gzip', {
      maxBytes: 1024 * 1024,
      truncated: true,
    });
    expect(out.truncated).toBe(true);
    expect(out.bytes.length).toBeGreaterThan(1000);
    expect(text.toString().startsWith(out.bytes.toString())).toBe(true);
  });
});
