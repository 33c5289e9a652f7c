// Target text in reasons, terminal lines and reports: bounded, every hidden character shown.
import { afterEach, describe, expect, test } from 'vitest';
import {
  clipped,
  formatDuration,
  oneLine,
  quoted,
  shownText,
  useRedactor,
  visible,
} from '../../src/shared/text.ts';

afterEach(() => useRedactor((text) => text));

describe('visible', () => {
  test('control characters become escapes, line breaks included', () => {
    expect(visible('a\nb\r\tc\u001b[2Kd\u0000\u007f\u0085')).toBe(
      'a\\nb\\r\\tc\\u001b[2Kd\\u0000\\u007f\\u0085',
    );
  });

  test('invisible characters are named by code point', () => {
    expect(visible('\uFEFF{"a":1}')).toBe('[U+FEFF]{"a":1}');
    expect(visible('a\u200Bb\u202Ec\u2028d\u2029e')).toBe('a[U+200B]b[U+202E]c[U+2028]d[U+2029]e');
  });

  test('printable text, non-ASCII letters included, is left alone', () => {
    expect(visible('Dirección inválida ✓ 令牌')).toBe('Dirección inválida ✓ 令牌');
  });

  test('no target text can start a line, whatever it holds', () => {
    const hostile = 'x\n[[ATTACHMENT|/etc/passwd]]\r\n[[PROPERTY|outcome=passed]]';
    expect(visible(hostile)).not.toMatch(/[\r\n]/);
  });
});

describe('clipped', () => {
  test('a long text is cut and its length stated', () => {
    const text = 'e'.repeat(921_600);
    const out = clipped(text, 200);
    expect(out.length).toBeLessThan(260);
    expect(out).toContain('(921,600 characters in all)');
  });

  test('never cuts a surrogate pair in half', () => {
    const out = clipped(`${'a'.repeat(9)}😀tail`, 10);
    expect(out.startsWith('a'.repeat(9))).toBe(true);
    expect(out).not.toMatch(/\uD83D(?!\uDE00)/);
  });

  test('a short text is unchanged', () => {
    expect(clipped('short', 200)).toBe('short');
  });
});

describe('quoted', () => {
  test('a string is JSON-quoted, visible and clipped', () => {
    expect(quoted('in\u001bvalid')).toBe('"in\\u001bvalid"');
    expect(quoted('\uFEFFx')).toBe('"[U+FEFF]x"');
    expect(quoted('y'.repeat(1000), 50)).toMatch(/^"y{50}… \(1,000 characters in all\)"$/);
  });

  test('other values are JSON, bounded', () => {
    expect(quoted(3600)).toBe('3600');
    expect(quoted(undefined)).toBe('undefined');
    expect(quoted({ a: 'z'.repeat(500) }, 40).length).toBeLessThan(80);
  });

  // Redact first, clip after: a secret across the clip must not leave its first characters.
  test('a secret straddling the clip is replaced whole before the cut', () => {
    const secret = 'hunter2-secret-value-0123456789';
    useRedactor((text) => text.replaceAll(secret, '[REDACTED]'));
    const body = `${'p'.repeat(190)}${secret}`;
    const out = quoted(body, 200);
    expect(out).not.toContain('hunter2');
    expect(shownText(body, 200)).not.toContain('hunter2');
    expect(oneLine(`reason: ${body}`, 200)).not.toContain('hunter2');
  });
});

describe('oneLine', () => {
  test('a reason is one bounded line', () => {
    const reason = `expected 400 invalid_request, got 400 ${'E'.repeat(900_000)}\nnext`;
    const out = oneLine(reason);
    expect(out).not.toContain('\n');
    expect(out.length).toBeLessThan(1100);
    expect(out).toContain('characters in all');
  });
});

test.each([
  [420.4, '420 ms'],
  [5_540, '5.5 s'],
  [1_000, '1 s'],
  [83_000, '1 min 23 s'],
  [363_000, '6 min 3 s'],
])(
  'formatDuration(%d) is %s: one formatter for the terminal, the plan and the HTML report',
  (ms, shown) => {
    expect(formatDuration(ms)).toBe(shown);
  },
);
