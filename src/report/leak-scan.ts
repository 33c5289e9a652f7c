/**
 * The last net: after a run has written its reports, they are read back and searched for every
 * secret the run knew (client secrets, Basic values, issued tokens) in every encoding, escaped
 * spellings included (src/shared/secret-views.ts), and for anything shaped like a JWT. A hit means a
 * redaction bug; the file is removed and the run fails.
 *
 * A secret that is also a word of the report's own text (a token that is the word `testcase`, a
 * secret `secret` beside the case title "wrong secret") cannot be told from that text: it is not
 * searched for in that file, and the run says so (never the value). The values themselves were
 * redacted before the report was serialised, so such a word is no leak.
 */
import { readFileSync } from 'node:fs';
import { encodingsOf, secretPattern } from '../shared/redact.ts';
import { needlesIn, secretSpans } from '../shared/secret-views.ts';
import { decodeMarkup } from './markup.ts';

export interface Leak {
  file: string;
  /** What leaked, never the value: "a known secret" or "a JWT". */
  what: string;
}

/** A written report, and the same report rendered with no target-derived text (its own words). */
export interface WrittenReport {
  path: string;
  skeleton: string;
}

export interface LeakScan {
  leaks: Leak[];
  /** Secrets (counted, never shown) that are words of a report's own text, so not searched for. */
  ordinaryWords: number;
}

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

export function findLeaks(files: readonly WrittenReport[], secrets: readonly string[]): LeakScan {
  const leaks: Leak[] = [];
  const ordinary = new Set<string>();
  // Each form, and the secret it is a form of.
  const secretOf = new Map<string, string>();
  for (const secret of secrets)
    for (const form of encodingsOf(secret, 1)) secretOf.set(form, secret);
  if (secretOf.size === 0) return { leaks: jwtLeaks(files), ordinaryWords: 0 };
  const all = secretPattern(secretOf.keys());
  for (const { path, skeleton } of files) {
    const own = new Set([...needlesIn(skeleton, all)].map((form) => secretOf.get(form)));
    for (const secret of own) if (secret !== undefined) ordinary.add(secret);
    const forms = [...secretOf].filter(([, secret]) => !own.has(secret)).map(([form]) => form);
    const raw = readFileSync(path, 'utf8');
    if (forms.length > 0 && secretSpans(raw, secretPattern(forms)).length > 0)
      leaks.push({ file: path, what: 'a known secret' });
    else if (hasJwt(raw)) leaks.push({ file: path, what: 'a JWT' });
  }
  return { leaks, ordinaryWords: ordinary.size };
}

function hasJwt(raw: string): boolean {
  return JWT.test(raw) || JWT.test(decodeMarkup(raw));
}

function jwtLeaks(files: readonly WrittenReport[]): Leak[] {
  return files
    .filter(({ path }) => hasJwt(readFileSync(path, 'utf8')))
    .map(({ path }) => ({ file: path, what: 'a JWT' }));
}
