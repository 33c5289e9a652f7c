/**
 * Renders an exchange as text for people (failure messages, reports). Secrets are replaced before
 * anything is clipped (a secret across the clip must go whole), and every line starts with the
 * exchange's own prefix (`>`, `<`, `!`): whatever a body holds, it cannot start a line of its own
 * in a report, and its control characters are shown, not obeyed.
 */

import { type Redactor, redactBody, redactHeaders } from '../shared/redact.ts';
import { shownText, visible } from '../shared/text.ts';
import type { Exchange } from '../target/http.ts';

/** How much of one body an exchange shows. */
const MAX_BODY_CHARS = 4000;
/** How much of one header value (or request line) an exchange shows. */
const MAX_FIELD_CHARS = 1000;

function clip(text: string, max: number): string {
  return text.length > max
    ? `${text.slice(0, max)}\n… (${(text.length - max).toLocaleString('en-US')} more characters)`
    : text;
}

/**
 * Enough past the clip for any secret that straddles it, in its longest spelling (a 2,000-character
 * token, every character a six-character \uXXXX escape): redacting that much, not a megabyte body,
 * is redacting before clipping.
 */
const STRADDLE_CHARS = 16 * 1024;

/** Body lines: redacted (as far as past the clip), then clipped, then each line prefixed and made visible. */
function bodyLines(prefix: string, body: string, redactor: Redactor): string[] {
  const reach = MAX_BODY_CHARS + STRADDLE_CHARS;
  const head = redactor.redact(body.slice(0, reach));
  const total = head.length + Math.max(0, body.length - reach);
  const shown =
    total > MAX_BODY_CHARS
      ? `${head.slice(0, MAX_BODY_CHARS)}\n… (${(total - MAX_BODY_CHARS).toLocaleString('en-US')} more characters)`
      : head;
  return shown.split(/\r?\n/).map((line) => `${prefix} ${visible(line)}`);
}

function fieldLine(prefix: string, text: string, redactor: Redactor): string {
  return `${prefix} ${visible(clip(redactor.redact(text), MAX_FIELD_CHARS).replace('\n', ' '))}`;
}

export function exchangeText(exchange: Exchange, redactor: Redactor): string {
  const { request, response, error } = exchange;
  const lines: string[] = [fieldLine('>', `${request.method} ${request.url}`, redactor)];
  for (const [name, value] of Object.entries(redactHeaders(request.headers)))
    lines.push(fieldLine('>', `${name}: ${value}`, redactor));
  if (request.body)
    lines.push(
      '>',
      ...bodyLines('>', redactBody(request.body, request.headers['content-type']), redactor),
    );
  if (error) {
    lines.push(
      fieldLine(
        '!',
        `no response after ${exchange.durationMs} ms: ${error.code} ${error.message}`,
        redactor,
      ),
    );
  } else if (response) {
    lines.push(`< ${response.status} (${exchange.durationMs} ms)`);
    for (const [name, value] of Object.entries(redactHeaders(response.headers)))
      lines.push(fieldLine('<', `${name}: ${value}`, redactor));
    const { coding } = response;
    if (coding) {
      lines.push(
        coding.problem
          ? `< … (${coding.wireBytes} bytes in ${shownText(coding.codings.join(', '), 80)}, not decoded: ${visible(coding.problem)})`
          : `< … (${coding.wireBytes} bytes in ${shownText(coding.codings.join(', '), 80)}, decoded to ${Buffer.byteLength(response.body)})`,
      );
    }
    if (response.body) {
      lines.push(
        '<',
        ...bodyLines('<', redactBody(response.body, response.headers['content-type']), redactor),
      );
    }
    if (response.truncated) lines.push('< … (body cut at the read cap)');
  }
  return redactor.redact(lines.join('\n'));
}
