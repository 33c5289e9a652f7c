/** Command-line flags: one parser and one wording of its errors, for every command. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConformanceError } from '../shared/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags' values (no positionals); a usage error of one line otherwise, with `hint`. */
export function parseFlags<T extends Options>(
  args: string[],
  options: T,
  hint = 'see oauth-conformance --help',
): ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>['values'] {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // Node's message runs over lines ("… argument is ambiguous. Did you forget … use '--x=-XYZ'."):
    // one line, all of it.
    const message = (error as Error).message.split('\n').join(' ').replace(/\s+/g, ' ').trim();
    throw new ConformanceError('USAGE', `${message} (${hint})`);
  }
}

/** `raw` as a whole number from `min` to `max`, `fallback` when absent; a usage error otherwise. */
export function wholeNumber(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new ConformanceError('USAGE', `${flag} must be a whole number ${range}, not "${raw}"`);
  }
  return value;
}
