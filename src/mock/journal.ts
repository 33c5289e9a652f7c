/**
 * The request journal: the last N requests, secrets redacted by name and by value, then clipped,
 * so that an entry holds at most about 8,300 characters whatever the caller sent.
 */

import { type Redactor, redactBody, redactForm, redactHeaders } from '../shared/redact.ts';
import type { JournalEntry } from './types.ts';

/**
 * What one entry keeps of what the caller controls, in characters (UTF-16 code units). Header
 * names and values count together; headers past the budget are left out, and the pseudo-header
 * {@link OMITTED_HEADERS} says how many. Time, method, status, address and duration are small.
 */
export const JOURNAL_LIMITS = {
  path: 1024,
  query: 1024,
  body: 4096,
  headerValue: 1024,
  headers: 2048,
} as const;

/**
 * The name under which an entry says how many headers it left out. Parentheses cannot occur in a
 * header name (RFC 9110 §5.1), so this never shadows a real header.
 */
export const OMITTED_HEADERS = '(omitted)';

export interface Journal {
  record(entry: JournalEntry): void;
  entries(): readonly JournalEntry[];
}

/**
 * `text` if it has at most `max` characters; otherwise its first `max` (never half a surrogate
 * pair) followed by `…[N more characters]`. The kept part is copied: a slice of a long string can
 * keep the whole string alive in V8.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  const kept = Buffer.from(text.slice(0, end), 'utf16le').toString('utf16le');
  return `${kept}…[${text.length - end} more characters]`;
}

/** Headers in their order while names and (clipped) values fit the budget; the others left out. */
function clipHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let left: number = JOURNAL_LIMITS.headers;
  let omitted = 0;
  for (const [name, value] of Object.entries(headers)) {
    const kept = clipText(value, JOURNAL_LIMITS.headerValue);
    if (name.length + kept.length > left) {
      omitted += 1;
      continue;
    }
    out[name] = kept;
    left -= name.length + kept.length;
  }
  if (omitted > 0) {
    out[OMITTED_HEADERS] = `${omitted} past the journal's ${JOURNAL_LIMITS.headers} characters`;
  }
  return out;
}

/** Joins the texts of an entry for one pass of the redactor: a character no request text holds. */
const SEPARATOR = '\u0000';
/** The most characters an entry's texts may have together to be redacted in one pass. */
const JOINED_MAX = 4096;

/**
 * Each text redacted, as `redactor.redact` redacts it alone, in one pass over them all joined:
 * a pass costs about as much for a short text as for a long one (a profile of the mock under load:
 * eight passes an entry were a quarter of its CPU). A secret lies within one text, whose
 * neighbours cannot change what it decodes to (the separator ends every escape), so the joined
 * pass finds what the separate ones would. Separate passes when a text holds the separator (a
 * body may), when a redaction took one in (a secret that holds it: the pieces would not line
 * up), or when they are long.
 */
export function redactAll(redactor: Redactor, texts: string[]): string[] {
  const length = texts.reduce((sum, text) => sum + text.length, 0);
  // The pieces of a split are slices of the joined text in V8, and a kept slice keeps all of it
  // alive: only an entry small enough to keep whole is joined (a big one is clipped, its pieces
  // copied, text by text, as before).
  if (length <= JOINED_MAX && !texts.some((text) => text.includes(SEPARATOR))) {
    const parts = redactor.redact(texts.join(SEPARATOR)).split(SEPARATOR);
    if (parts.length === texts.length) return parts;
  }
  return texts.map((text) => redactor.redact(text));
}

/** Redacted entries remembered at most, and the longest request text remembered (characters). */
const MEMO_ENTRIES = 64;
const MEMO_KEY_MAX = 8192;

/**
 * A key that names exactly what {@link createJournal}'s redaction reads of an entry (path, query,
 * body, header names and values, in order), each part preceded by its length so that no two
 * different entries share a key; `undefined` when the entry is too long to remember.
 */
function memoKey(entry: JournalEntry): string | undefined {
  let key = `${entry.path.length}:${entry.path}${entry.query.length}:${entry.query}${entry.body.length}:${entry.body}`;
  if (key.length > MEMO_KEY_MAX) return undefined;
  for (const name in entry.headers) {
    const value = entry.headers[name] ?? '';
    key += `${name.length}:${name}${value.length}:${value}`;
    if (key.length > MEMO_KEY_MAX) return undefined;
  }
  return key;
}

type Redacted = Pick<JournalEntry, 'path' | 'query' | 'headers' | 'body'>;

/** The journal of the last `limit` entries; `redactor` knows the mock's secrets. */
export function createJournal(limit: number, redactor: Redactor): Journal {
  // A ring of `limit` entries: the oldest is overwritten, never shifted out (splicing the front
  // of a full array moved every entry, on every request).
  const entries: JournalEntry[] = [];
  let oldest = 0;
  const keep = (entry: JournalEntry): void => {
    if (limit === 0) return;
    if (entries.length < limit) entries.push(entry);
    else {
      entries[oldest] = entry;
      oldest = (oldest + 1) % limit;
    }
  };
  // Redaction is a pure function of the request's texts and the redactor's secrets, and a load
  // test sends the same request again and again (a profile of the mock under load: redaction
  // was a tenth of its CPU time): the redacted parts of the last few distinct requests are
  // remembered, and forgotten whenever the redactor learns a secret (a rotated one). The stored
  // parts are shared between entries: nothing changes them, and entries() hands out copies.
  const memo = new Map<string, Redacted>();
  let memoSecrets = redactor.size;
  const redacted = (entry: JournalEntry): Redacted => {
    // Redact first, clip after: a secret cut in two by a clip would escape the redactor.
    const named = Object.entries(redactHeaders(entry.headers));
    const [path = '', query = '', body = '', ...values] = redactAll(redactor, [
      entry.path,
      redactForm(entry.query),
      redactBody(entry.body, entry.headers['content-type']),
      ...named.map(([, value]) => value),
    ]);
    const headers: Record<string, string> = {};
    named.forEach(([name], i) => {
      headers[name] = values[i] ?? '';
    });
    return {
      path: clipText(path, JOURNAL_LIMITS.path),
      query: clipText(query, JOURNAL_LIMITS.query),
      headers: clipHeaders(headers),
      body: clipText(body, JOURNAL_LIMITS.body),
    };
  };
  return {
    record(entry) {
      if (limit === 0) return;
      if (redactor.size !== memoSecrets) {
        memo.clear();
        memoSecrets = redactor.size;
      }
      const key = memoKey(entry);
      let parts = key === undefined ? undefined : memo.get(key);
      if (!parts) {
        parts = redacted(entry);
        if (key !== undefined) {
          if (memo.size >= MEMO_ENTRIES) memo.clear();
          memo.set(key, parts);
        }
      }
      keep({ ...entry, ...parts });
    },
    entries: () =>
      [...entries.slice(oldest), ...entries.slice(0, oldest)].map((entry) => ({
        ...entry,
        headers: { ...entry.headers },
      })),
  };
}
