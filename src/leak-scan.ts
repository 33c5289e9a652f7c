/**
 * The last net: after a run has written its reports, they are read back and searched for every
 * secret the run knew (client secrets, Basic values, issued tokens) in every encoding, and for
 * anything shaped like a JWT. A hit means a redaction bug; the file is removed and the run fails.
 */
import { readFileSync } from 'node:fs';
import { encodingsOf } from './redact.ts';
import { decodeMarkup } from './reporters/markup.ts';

export interface Leak {
  file: string;
  /** What leaked, never the value: "a known secret (base64 form)" or "a JWT". */
  what: string;
}

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

export function findLeaks(files: readonly string[], secrets: readonly string[]): Leak[] {
  const forms = secrets.flatMap((secret) => encodingsOf(secret));
  const leaks: Leak[] = [];
  for (const file of files) {
    const raw = readFileSync(file, 'utf8');
    const text = `${raw}\n${decodeMarkup(raw)}`;
    if (forms.some((form) => text.includes(form))) leaks.push({ file, what: 'a known secret' });
    else if (JWT.test(text)) leaks.push({ file, what: 'a JWT' });
  }
  return leaks;
}
