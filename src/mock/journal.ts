/** The request journal: the last N requests, secrets redacted by name and by value. */

import { type Redactor, redactBody, redactForm, redactHeaders } from '../redact.ts';
import type { JournalEntry } from './types.ts';

export interface Journal {
  record(entry: JournalEntry): void;
  entries(): readonly JournalEntry[];
}

export function createJournal(limit: number, redactor: Redactor): Journal {
  const entries: JournalEntry[] = [];
  return {
    record(entry) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(redactHeaders(entry.headers))) {
        headers[name] = redactor.redact(value);
      }
      entries.push({
        ...entry,
        path: redactor.redact(entry.path),
        query: redactor.redact(redactForm(entry.query)),
        headers,
        body: redactor.redact(redactBody(entry.body, entry.headers['content-type'])),
      });
      if (entries.length > limit) entries.splice(0, entries.length - limit);
    },
    entries: () => entries.map((entry) => ({ ...entry, headers: { ...entry.headers } })),
  };
}
