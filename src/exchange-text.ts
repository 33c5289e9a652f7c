/** Renders an exchange as text for people (failure messages, reports), redacted. */
import type { Exchange } from './http.ts';
import { type Redactor, redactBody, redactHeaders } from './redact.ts';

const MAX_BODY_CHARS = 4000;

function clip(body: string): string {
  return body.length > MAX_BODY_CHARS
    ? `${body.slice(0, MAX_BODY_CHARS)}\n… (${body.length - MAX_BODY_CHARS} more characters)`
    : body;
}

export function exchangeText(exchange: Exchange, redactor: Redactor): string {
  const { request, response, error } = exchange;
  const lines: string[] = [`> ${request.method} ${request.url}`];
  for (const [name, value] of Object.entries(redactHeaders(request.headers)))
    lines.push(`> ${name}: ${value}`);
  if (request.body)
    lines.push(
      '>',
      ...redactBody(request.body, request.headers['content-type'])
        .split('\n')
        .map((line) => `> ${line}`),
    );
  if (error) {
    lines.push(`! no response after ${exchange.durationMs} ms: ${error.code} ${error.message}`);
  } else if (response) {
    lines.push(`< ${response.status} (${exchange.durationMs} ms)`);
    for (const [name, value] of Object.entries(redactHeaders(response.headers)))
      lines.push(`< ${name}: ${value}`);
    if (response.body) {
      lines.push(
        '<',
        ...clip(redactBody(response.body, response.headers['content-type']))
          .split('\n')
          .map((line) => `< ${line}`),
      );
    }
    if (response.truncated) lines.push('< … (body cut at the read cap)');
  }
  return redactor.redact(lines.join('\n'));
}
