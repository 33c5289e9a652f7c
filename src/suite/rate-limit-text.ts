/**
 * The limit a 429 states in words: "Resource /api/oauth/token is limited to 10 requests every 1
 * minutes." (the documented error_description, and the live ApiError's detail).
 */
import type { RateLimit } from '../shared/types.ts';

const STATED = /limited to (\d+) requests? every (\d+) (second|minute|hour)s?/i;
const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600 };

/** The limit stated in a text, or undefined if it states none. */
export function statedLimitIn(text: string): RateLimit | undefined {
  const match = STATED.exec(text);
  if (!match) return undefined;
  const unit = UNIT_SECONDS[(match[3] ?? '').toLowerCase()] ?? 60;
  return { requests: Number(match[1]), windowSeconds: Number(match[2]) * unit };
}

/** The limit a 429 body states, in error_description or (Atlas's ApiError) detail. */
export function statedLimit(body: string): RateLimit | undefined {
  try {
    const value = JSON.parse(body) as { error_description?: unknown; detail?: unknown } | null;
    const text = [value?.error_description, value?.detail].find((item) => typeof item === 'string');
    return typeof text === 'string' ? statedLimitIn(text) : undefined;
  } catch {
    return undefined;
  }
}
