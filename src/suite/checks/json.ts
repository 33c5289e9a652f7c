import { clipped, quoted, visible } from '../../shared/text.ts';
import type { HttpResponse } from '../../target/http.ts';
import { parseJson } from '../../target/http.ts';

/** The response body as JSON, or a failure reason (a body that could not be decoded says why). */
export function bodyJson(
  response: HttpResponse,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (response.coding?.problem) return { ok: false, reason: response.coding.problem };
  if (response.notUtf8)
    return {
      ok: false,
      reason:
        'the body is not valid UTF-8, which RFC 8259 §8.1 requires of JSON exchanged between systems',
    };
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

/** One pair of values still to compare, and where it sits (a chain of segments, built only when reported). */
interface Pending {
  a: unknown;
  b: unknown;
  parent: Pending | undefined;
  segment: string;
  /** A member of two objects: whether each has it, and whether it is compared by type only. */
  member?: { inA: boolean; inB: boolean; byType: boolean };
}

/** Segments of a path shown in full at each end; a deeper path is shown with the middle left out. */
const PATH_ENDS = 8;

function pathOf(frame: Pending): string {
  const segments: string[] = [];
  for (let at: Pending | undefined = frame; at?.parent; at = at.parent) segments.push(at.segment);
  segments.reverse();
  if (segments.length > 2 * PATH_ENDS)
    segments.splice(
      PATH_ENDS,
      segments.length - 2 * PATH_ENDS,
      `…(${segments.length - 2 * PATH_ENDS} levels)…`,
    );
  return segments.map((segment) => `/${segment}`).join('') || '(root)';
}

/**
 * Compares two JSON values by meaning. Members named in `volatile` (a new access token every
 * request) are compared by type only. Returns where they first differ (depth first, members in
 * name order), or undefined. Iterative: a target's JSON nested 100,000 deep (which JSON.parse
 * accepts) is compared, not a stack overflow that reads as a verdict.
 */
export function differenceInMeaning(
  a: unknown,
  b: unknown,
  volatile: ReadonlySet<string>,
): string | undefined {
  const stack: Pending[] = [{ a, b, parent: undefined, segment: '' }];
  while (stack.length > 0) {
    const frame = stack.pop() as Pending;
    const { a: x, b: y, member } = frame;
    if (member) {
      if (!member.inA) return `${pathOf(frame)}: missing`;
      if (!member.inB) return `${pathOf(frame)}: unexpected`;
      if (member.byType) {
        if (typeof x !== typeof y) return `${pathOf(frame)}: ${typeof x} vs ${typeof y}`;
        continue;
      }
    }
    if (Array.isArray(x) || Array.isArray(y)) {
      if (!Array.isArray(x) || !Array.isArray(y))
        return `${pathOf(frame)}: array vs ${typeof (Array.isArray(x) ? y : x)}`;
      if (x.length !== y.length) return `${pathOf(frame)}: ${x.length} items vs ${y.length}`;
      // Pushed last first, so that the first item is compared first.
      for (let i = x.length - 1; i >= 0; i--)
        stack.push({ a: x[i], b: y[i], parent: frame, segment: String(i) });
      continue;
    }
    if (isObject(x) && isObject(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      // Pushed last first, so that members are compared in name order.
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        stack.push({
          a: x[key],
          b: y[key],
          parent: frame,
          segment: segment(key),
          member: { inA: key in x, inB: key in y, byType: volatile.has(key) },
        });
      }
      continue;
    }
    if (x !== y) return `${pathOf(frame)}: ${quoted(x, 80)} vs ${quoted(y, 80)}`;
  }
  return undefined;
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}
