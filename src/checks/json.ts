import type { HttpResponse } from '../http.ts';
import { parseJson } from '../http.ts';

/** The response body as JSON, or a failure reason. */
export function bodyJson(
  response: HttpResponse,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  return parseJson(response.body);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Compares two JSON values by meaning. Members named in `volatile` (a new access token every
 * request) are compared by type only. Returns where they first differ, or undefined.
 */
export function differenceInMeaning(
  a: unknown,
  b: unknown,
  volatile: ReadonlySet<string>,
  path = '',
): string | undefined {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b))
      return `${path || '(root)'}: array vs ${typeof (Array.isArray(a) ? b : a)}`;
    if (a.length !== b.length) return `${path || '(root)'}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const diff = differenceInMeaning(a[i], b[i], volatile, `${path}/${i}`);
      if (diff) return diff;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of [...keys].sort()) {
      const where = `${path}/${key}`;
      if (!(key in a)) return `${where}: missing`;
      if (!(key in b)) return `${where}: unexpected`;
      if (volatile.has(key)) {
        if (typeof a[key] !== typeof b[key])
          return `${where}: ${typeof a[key]} vs ${typeof b[key]}`;
        continue;
      }
      const diff = differenceInMeaning(a[key], b[key], volatile, where);
      if (diff) return diff;
    }
    return undefined;
  }
  if (a !== b) return `${path || '(root)'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  return undefined;
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}
