/**
 * The one place that decides what a finding means for the run: a check only says whether the
 * target met the requirement; the requirement's level and the run's options decide whether a
 * miss fails the run or warns.
 */
import type { Level } from '../shared/types.ts';
import type { Outcome } from '../shared/verdict.ts';

/**
 * The level a requirement is judged at in a run: its own, or under a profile held to the RFCs
 * alone (`requirementLevels: rfc`) the level its RFC sentence gives (MUST fails, SHOULD warns).
 */
export function levelFor(
  requirement: { level: Level; rfcLevel?: 'rfc-must' | 'rfc-should' },
  requirementLevels: 'documented' | 'rfc',
): Level {
  return requirementLevels === 'rfc'
    ? (requirement.rfcLevel ?? requirement.level)
    : requirement.level;
}

export interface SeverityOptions {
  /** --strict: every finding fails. */
  strict: boolean;
  /** An --allow entry covers the requirement: a finding is allowed, not failed. */
  allowed?: boolean;
}

/** Levels whose findings fail the run by default; the others warn unless --strict. */
const FAILS_BY_DEFAULT: ReadonlySet<Level> = new Set(['documented', 'rfc-must']);

/**
 * What a finding (or its absence) means for the run, for the suite and the client harness alike:
 * `passed` when the requirement was met; else `warned` for a level that does not fail by
 * default (`rfc-should`, `observed`) unless `strict`; else `allowed` when an --allow entry
 * covers it; else `failed`.
 *
 * @param level - the level the requirement is judged at (its profile's; see levelFor).
 * @param ok - whether the check or judgement found the requirement met.
 * @param options - `strict` (--strict) and `allowed` (an --allow entry covers it).
 * @returns the outcome; a pure function, it never throws.
 */
export function decide(
  level: Level,
  ok: boolean,
  options: SeverityOptions,
): Extract<Outcome, 'passed' | 'failed' | 'warned' | 'allowed'> {
  if (ok) return 'passed';
  if (!options.strict && !FAILS_BY_DEFAULT.has(level)) return 'warned';
  // An allowance turns only what would fail the run into an allowed deviation.
  return options.allowed ? 'allowed' : 'failed';
}
