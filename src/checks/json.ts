import type { HttpResponse } from '../http.ts';
import { parseJson } from '../http.ts';
import { clipped, quoted, visible } from '../text.ts';

/** The response body as JSON, or a failure reason (a body that could not be decoded says why). */
export function bodyJson(
  response: HttpResponse,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (response.coding?.problem) return { ok: false, reason: response.coding.problem };
  return parseJson(response.body);
}

/** Whether the response had a body on the wire (decoded or not; whitespace alone is none). */
export function hasBody(response: HttpResponse): boolean {
  return (
    response.body.trim() !== '' ||
    (response.coding?.problem !== undefined && response.coding.wireBytes > 0)
  );
}

/** A JSON member name as a path segment in a reason: visible and bounded, whatever the target named it. */
function segment(key: string): string {
  return visible(clipped(key, 60));
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
      const where = `${path}/${segment(key)}`;
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
  if (a !== b) return `${path || '(root)'}: ${quoted(a, 80)} vs ${quoted(b, 80)}`;
  return undefined;
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}
