/** Where a text stops being JSON, said without the text (jsonc-parser's scanner). */
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';

/**
 * Where a text stops being JSON, as a line and column and the kind of fault: never the text
 * itself, which may be an unquoted secret (JSON.parse's message quotes it).
 */
export function jsonSyntaxError(text: string): string | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (!first) return undefined;
  const before = text.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - before.lastIndexOf('\n');
  const kind = printParseErrorCode(first.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return `line ${line}, column ${column}: ${kind}`;
}
