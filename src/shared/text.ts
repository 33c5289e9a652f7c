/**
 * Text a target controls (bodies, header values, JSON member names and values, transport error
 * messages), made fit to appear in a reason, a terminal line or a report: bounded in length (with
 * the original length stated) and with every control or invisible character made visible, line
 * breaks included. A target can therefore neither flood a report, nor start a line of its own in
 * one (a CI directive such as `[[ATTACHMENT|…]]`), nor move the terminal's cursor.
 */

/**
 * The run's redactor, applied to target text before it is clipped: a secret that straddles the
 * clip must be replaced whole, not cut into a prefix no redactor recognises. Set once per process
 * by whoever knows the secrets (the suite's session, the CLI, the client harness).
 */
let redactText: (text: string) => string = (text) => text;

/** Registers the function that replaces known secrets in text (see {@link Redactor.redact}). */
export function useRedactor(redact: (text: string) => string): void {
  redactText = redact;
}

/** How many characters of one piece of target text a reason quotes. */
export const QUOTE_MAX_CHARS = 200;
/** How long one reason (a one-line verdict) may grow, whatever it quotes. */
export const REASON_MAX_CHARS = 1000;

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Control characters (C0, DEL, C1), format characters (byte order mark, zero-width and bidi
 * controls), line and paragraph separators, lone surrogates and noncharacters U+FFFE/U+FFFF.
 */
const HIDDEN = /\p{Cc}|\p{Cf}|\p{Zl}|\p{Zp}|\p{Cs}|[\uFFFE\uFFFF]/gu;

/**
 * `text` with every control character shown as an escape (`\n`, `\u001b`) and every invisible one
 * by its code point (`[U+FEFF]`). Printable text, including non-ASCII letters, is left alone.
 */
export function visible(text: string): string {
  return text.replace(HIDDEN, (char) => {
    const code = char.codePointAt(0) ?? 0;
    const hex = code.toString(16).toUpperCase().padStart(4, '0');
    if (/\p{Cc}/u.test(char)) return SHORT_ESCAPES[char] ?? `\\u${hex.toLowerCase()}`;
    return `[U+${hex}]`;
  });
}

/**
 * `text` cut to at most `max` characters (never inside a surrogate pair), saying how long it was.
 * Cut first, so that a megabyte of target text costs no more than `max` characters of work after.
 */
export function clipped(text: string, max: number = QUOTE_MAX_CHARS): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… (${text.length.toLocaleString('en-US')} characters in all)`;
}

/**
 * A value a target sent, quoted for a reason: strings in double quotes (JSON escapes, then every
 * invisible character shown), other JSON values as JSON; clipped to `max` characters.
 */
export function quoted(value: unknown, max: number = QUOTE_MAX_CHARS): string {
  if (typeof value === 'string') return visible(JSON.stringify(clipped(redactText(value), max)));
  if (value === undefined) return 'undefined';
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    // Nested too deep to serialise (String() of such an array would overflow the stack too).
    json =
      value !== null && typeof value === 'object'
        ? `(a JSON ${Array.isArray(value) ? 'array' : 'object'} nested too deep to show)`
        : String(value);
  }
  return visible(clipped(redactText(json), max));
}

/** Raw target text (an error message, a snippet) for a reason: visible and clipped, no quotes. */
export function shownText(text: string, max: number = QUOTE_MAX_CHARS): string {
  return visible(clipped(redactText(text), max));
}

/**
 * The last guard on a one-line verdict (the reason of a failure, warning or skip): whatever
 * reached it, it is one line of bounded length.
 */
export function oneLine(reason: string, max: number = REASON_MAX_CHARS): string {
  return visible(clipped(redactText(reason), max));
}

/**
 * The one way a duration is shown (terminal, plan line, HTML report): `420 ms` under a second,
 * `5.5 s` (tenths, no trailing zero) under a minute, else `6 min 3 s`.
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100) / 10;
  if (tenths < 60) return `${tenths} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
