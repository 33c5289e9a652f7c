/**
 * Turns cases into vitest tests: one test per (requirement, case), named
 * `<requirement id> [<case title>]` so that the name is stable from run to run. Each test
 * runs its case once (shared), judges it with the requirement's check, and lets the
 * requirement's level decide fail or warn.
 */
import { type TestContext, test } from 'vitest';
import { skipReason } from './applicability.ts';
import { CaseSetupError, resultOf } from './cases.ts';
import { type CaseResult, getCheck, type Verdict } from './checks/index.ts';
import { exchangeText } from './exchange-text.ts';
import { SEQUENCES } from './sequences/index.ts';
import { getSession, type Session } from './session.ts';
import { decide } from './severity.ts';
import { type Case, getCatalog, getRequirement, type Requirement, sourceLine } from './specs.ts';
import { oneLine, shownText } from './text.ts';

/** Thrown for a finding that fails the run; its message is the whole story, so no stack. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceFailure';
    this.stack = `${this.name}: ${message}`;
  }
}

export function testName(requirement: Requirement, c: Pick<Case, 'title'>): string {
  return `${requirement.id} [${c.title}]`;
}

function failureMessage(
  session: Session,
  requirement: Requirement,
  c: Case,
  reason: string,
  result: CaseResult,
): string {
  const lines = [
    `${testName(requirement, c)}: ${oneLine(reason)}`,
    `requirement (${requirement.level}): ${requirement.statement}`,
    `source: ${sourceLine(requirement)}`,
    ...result.notes.map((note) => `note: ${oneLine(note)}`),
    'exchange:',
    exchangeText(result.exchange, session.redactor),
  ];
  if (result.probe) {
    lines.push(
      'probe:',
      exchangeText(result.probe.withToken, session.redactor),
      exchangeText(result.probe.withTamperedToken, session.redactor),
    );
  }
  for (const [name, exchange] of Object.entries(result.steps ?? {})) {
    lines.push(`step ${name}:`, exchangeText(exchange, session.redactor));
  }
  if (result.facts) lines.push(`facts: ${shownText(JSON.stringify(result.facts), 2000)}`);
  if (result.baseline)
    lines.push(
      'baseline (the same request without the flag):',
      exchangeText(result.baseline.exchange, session.redactor),
    );
  return session.redactor.redact(lines.join('\n'));
}

async function judge(
  context: TestContext,
  session: Session,
  requirement: Requirement,
  c: Case,
  execute?: () => Promise<CaseResult>,
): Promise<void> {
  await context.annotate(requirement.id, 'requirement');
  await context.annotate(requirement.level, 'level');
  await context.annotate(c.trigger, 'trigger');
  await context.annotate(sourceLine(requirement), 'source');
  const skip = skipReason(session.run, c, requirement);
  if (skip) {
    await context.annotate(skip, 'skipped');
    context.skip(skip);
    return;
  }
  let result: CaseResult;
  try {
    result = await resultOf(session, c, execute);
  } catch (error) {
    if (error instanceof CaseSetupError)
      throw new ConformanceFailure(`${testName(requirement, c)}: ${oneLine(error.message)}`);
    throw error;
  }
  for (const note of result.notes) await context.annotate(oneLine(note), 'note');
  const baselineStatus = result.baseline?.exchange.response?.status;
  if (c.baselineStatus && !c.baselineStatus.includes(baselineStatus ?? 0)) {
    const reason = `not judged: the same request without the flag got ${baselineStatus ?? 'no response'}, not ${c.baselineStatus.join(' or ')}, so there is nothing of that kind to compare with`;
    await context.annotate(reason, 'skipped');
    context.skip(reason);
    return;
  }
  const params = requirement.check.with ?? {};
  // A requirement may judge a later step of a sequence (its `step` parameter) instead of the case's main exchange.
  const step = typeof params.step === 'string' ? params.step : undefined;
  const judged = step ? result.steps?.[step] : result.exchange;
  let verdict: Verdict = !judged
    ? { ok: false, reason: `the ${step} step was not reached` }
    : judged.response
      ? getCheck(requirement.check.name).check({
          result,
          response: judged.response,
          params,
          run: session.run,
        })
      : { ok: false, reason: `no response: ${judged.error?.code} ${judged.error?.message}` };
  if (!verdict.ok && requirement.drift && judged?.response) {
    const drift = getCheck(requirement.drift.check.name).check({
      result,
      response: judged.response,
      params: requirement.drift.check.with ?? {},
      run: session.run,
    });
    if (drift.ok) {
      if (session.run.acceptDrift) {
        await context.annotate(
          `accepted under --accept-drift: ${requirement.drift.known}`,
          'drift',
        );
        return;
      }
      verdict = {
        ok: false,
        reason: `${verdict.reason}. This is known drift: ${requirement.drift.known}; --accept-drift accepts it`,
      };
    }
  }
  const allowance = session.run.allowances.find((entry) => entry.requirement === requirement.id);
  const outcome = decide(requirement.level, verdict.ok, {
    strict: session.run.strict,
    allowed: allowance !== undefined,
  });
  if (verdict.ok) {
    if (verdict.note) await context.annotate(oneLine(verdict.note), 'note');
    return;
  }
  if (verdict.inconclusive) {
    const reason = `not judged: ${oneLine(verdict.reason)}`;
    await context.annotate(reason, 'skipped');
    context.skip(reason);
    return;
  }
  if (outcome === 'warn') {
    await context.annotate(oneLine(verdict.reason), 'warning');
    return;
  }
  const message = failureMessage(session, requirement, c, verdict.reason, result);
  if (outcome === 'allowed' && allowance) {
    await context.annotate(
      `${oneLine(verdict.reason)} (allowed until ${allowance.expires}: ${oneLine(allowance.reason)})`,
      'allowed',
    );
    await context.annotate(message, 'details');
    return;
  }
  throw new ConformanceFailure(message);
}

function sequenceOf(c: Case): (() => Promise<CaseResult>) | undefined {
  if (!c.sequence) return undefined;
  const sequence = SEQUENCES[c.sequence];
  if (!sequence) throw new Error(`case ${c.id} names unknown sequence ${c.sequence}`);
  return () => sequence.run(getSession(), c);
}

/** Defines the tests of one case: one per requirement of the run's profile. */
export function defineCase(c: Case): void {
  const session = getSession();
  const execute = sequenceOf(c);
  for (const id of c.requirements) {
    const requirement = getRequirement(id);
    if (!requirement.profiles.includes(session.run.profile)) continue;
    test(testName(requirement, c), (context) => judge(context, session, requirement, c, execute));
  }
}

/** Defines the tests of every case of an area (specs/cases/<area>.json), in catalog order. */
export function defineCases(area: string): void {
  for (const c of getCatalog().cases.filter((candidate) => candidate.area === area)) defineCase(c);
}
