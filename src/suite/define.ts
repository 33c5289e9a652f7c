/**
 * Turns cases into vitest tests: one test per (requirement, case), named
 * `<requirement id> [<case title>]` so that the name is stable from run to run. Each test
 * runs its case once (shared), judges it with the requirement's check, and lets the
 * requirement's level decide fail or warn.
 */
import { beforeAll, type TestContext, test } from 'vitest';
import {
  type Case,
  findCase,
  getRequirement,
  profileCatalog,
  type Requirement,
  sourceLine,
} from '../contract/catalog.ts';
import {
  type DefinedRefusal,
  definedRefusal,
  missingScope,
  refusalExplained,
} from '../contract/refusals.ts';
import { CaseSetupError, ConformanceFailure } from '../shared/errors.ts';
import { oneLine, shownText } from '../shared/text.ts';
import type { Level } from '../shared/types.ts';
import { type HttpResponse, NOT_SENT, parseJson } from '../target/http.ts';
import { skipReason } from './applicability.ts';
import { caseRole } from './assignment.ts';
import { report } from './channel.ts';
import { shownFacts } from './checks/facts.ts';
import { type CaseResult, getCheck, type Verdict } from './checks/index.ts';
import { startEarly } from './early-start.ts';
import { exchangeText } from './exchange-text.ts';
import { credentialEncodingHint, resultOf } from './execute.ts';
import { SEQUENCES } from './sequences/index.ts';
import { probeSharedToken } from './sequences/reuse.ts';
import { getSession, type Session } from './session.ts';
import { decide, levelFor } from './severity.ts';

export function testName(requirement: Requirement, c: Pick<Case, 'title'>): string {
  return `${requirement.id} [${c.title}]`;
}

function failureMessage(
  session: Session,
  requirement: Requirement,
  level: Level,
  c: Case,
  reason: string,
  result: CaseResult,
): string {
  const lines = [
    `${testName(requirement, c)}: ${oneLine(reason)}`,
    `requirement (${level}): ${requirement.statement}`,
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
  if (result.facts)
    lines.push(`facts: ${shownText(JSON.stringify(shownFacts(result.facts)), 2000)}`);
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
  let level = levelFor(requirement, session.run.requirementLevels);
  await report(context, { kind: 'requirement', id: requirement.id });
  await report(context, { kind: 'level', level });
  await report(context, { kind: 'trigger', trigger: c.trigger });
  await report(context, { kind: 'source', source: sourceLine(requirement) });
  const skip = skipReason(session.run, c, requirement);
  if (skip) {
    await report(context, { kind: 'skipped', reason: skip });
    context.skip(skip);
    return;
  }
  // A case compared with another judges nothing when that one did not get what it needs.
  const unmet = await baselineUnmet(session, c);
  if (unmet) {
    await report(context, { kind: 'skipped', reason: unmet });
    context.skip(unmet);
    return;
  }
  let result: CaseResult;
  try {
    result = await resultOf(session, c, execute);
  } catch (error) {
    // The case could not be set up (no token to work with, a fault the hook refused): its
    // requirement's sentence was never judged. Whatever stopped it is another testcase's finding.
    if (error instanceof CaseSetupError) {
      const reason = `not judged: ${oneLine(error.message)}`;
      await report(context, { kind: 'skipped', reason });
      context.skip(reason);
      return;
    }
    throw error;
  }
  for (const note of result.notes) await report(context, { kind: 'note', text: oneLine(note) });
  const params = requirement.check.with ?? {};
  // A requirement may judge a later step of a sequence (its `step` parameter) instead of the case's main exchange.
  const step = typeof params.step === 'string' ? params.step : undefined;
  const judged = step ? result.steps?.[step] : result.exchange;
  const status = judged?.response?.status;
  // A scope-less request refused for its missing scope judges nothing (RFC 6749 §3.3 allows it).
  const scope = judged?.response
    ? missingScope(c.endpoint, judged.request, judged.response)
    : undefined;
  if (scope) {
    const reason = `not judged: ${scope}`;
    await report(context, { kind: 'skipped', reason });
    context.skip(reason);
    return;
  }
  const wanted = requirement.judgedOn;
  const other =
    wanted === 'success'
      ? status !== undefined && (status < 200 || status > 299)
      : wanted !== undefined && status !== undefined && status !== wanted;
  if (other) {
    const reason = `not judged: the request got ${status}, not ${wanted === 'success' ? 'a success' : `a ${wanted}`}, so there is no such response to judge (the status is judged on its own)`;
    await report(context, { kind: 'skipped', reason });
    context.skip(reason);
    return;
  }
  let verdict: Verdict = !judged
    ? { ok: false, reason: `the ${step} step was not reached` }
    : judged.response
      ? getCheck(requirement.check.name).check({
          result,
          response: judged.response,
          params,
          run: session.run,
        })
      : judged.error && NOT_SENT.has(judged.error.code)
        ? // Never sent (the run's deadline passed, or the target stopped answering): nothing of
          // the target was seen, so nothing is judged; the run ends as incomplete (exit 3).
          { ok: false, inconclusive: true, reason: judged.error.message }
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
        await report(context, {
          kind: 'drift',
          reason: `accepted under --accept-drift: ${requirement.drift.known}`,
        });
        return;
      }
      verdict = {
        ok: false,
        reason: `${verdict.reason}. This is known drift: ${requirement.drift.known}; --accept-drift accepts it`,
      };
    }
  }
  if (!verdict.ok) {
    // Correct credentials refused: say when the suite's own credential encoding may be the cause.
    const auth = c.request.auth;
    const role = auth && 'basic' in auth && !auth.secret ? caseRole(session.run, c) : undefined;
    const hint = credentialEncodingHint(session, role, result.exchange.response);
    if (hint) verdict = { ...verdict, reason: `${verdict.reason}; ${hint}` };
    // A refusal an RFC defines: say so, and under the RFC levels judge at the level it breaks.
    const refusal = definedRefusalOf(c.endpoint, judged?.response);
    if (refusal) {
      verdict = { ...verdict, reason: `${verdict.reason}; ${refusalExplained(refusal)}` };
      if (
        session.run.requirementLevels === 'rfc' &&
        level === 'rfc-must' &&
        (await refusedGenerally(session, c, refusal))
      ) {
        level = refusal.level;
        await report(context, { kind: 'level', level });
      }
    }
  }
  // An entry for the requirement covers every case; an entry for one case, that testcase only.
  const allowance = session.run.allowances.find(
    (entry) =>
      entry.requirement === requirement.id && (entry.case === undefined || entry.case === c.title),
  );
  const outcome = decide(level, verdict.ok, {
    strict: session.run.strict,
    allowed: allowance !== undefined,
  });
  if (verdict.ok) {
    if (verdict.note) await report(context, { kind: 'note', text: oneLine(verdict.note) });
    return;
  }
  if (verdict.inconclusive) {
    const reason = `not judged: ${oneLine(verdict.reason)}`;
    await report(context, { kind: 'skipped', reason });
    context.skip(reason);
    return;
  }
  if (outcome === 'warned') {
    await report(context, { kind: 'warning', reason: oneLine(verdict.reason) });
    return;
  }
  const message = failureMessage(session, requirement, level, c, verdict.reason, result);
  if (outcome === 'allowed' && allowance) {
    await report(context, {
      kind: 'allowed',
      reason: `${oneLine(verdict.reason)} (allowed until ${allowance.expires}: ${oneLine(allowance.reason)})`,
      details: message,
    });
    return;
  }
  await report(context, { kind: 'failed', reason: oneLine(verdict.reason) });
  throw new ConformanceFailure(message);
}

/** The refusal an RFC defines that a response is, if any. */
function definedRefusalOf(endpoint: Case['endpoint'], response: HttpResponse | undefined) {
  if (!response || endpoint === 'probe') return undefined;
  const json = parseJson(response.body);
  const code = json.ok ? (json.value as { error?: unknown } | null)?.error : undefined;
  return definedRefusal(endpoint, response.status, code);
}

/** Whether the case that shows a refusal is general (its `confirmedBy`) got the same refusal. */
async function refusedGenerally(
  session: Session,
  c: Case,
  refusal: DefinedRefusal,
): Promise<boolean> {
  if (c.id === refusal.confirmedBy) return true;
  const confirming = findCase(session.run.profile, refusal.confirmedBy);
  if (!confirming) return false;
  const result = await resultOf(session, confirming, sequenceOf(confirming)).catch(() => undefined);
  return definedRefusalOf(confirming.endpoint, result?.exchange.response) === refusal;
}

/**
 * Why a case compared with another (its baseline) judges nothing: the baseline did not get a
 * status of `baselineStatus` (pretty=true on a success needs a success; the hint cases need a
 * revocation that worked with the hint). Undefined when it did, or the case names none.
 */
async function baselineUnmet(session: Session, c: Case): Promise<string | undefined> {
  if (!c.baseline || !c.baselineStatus) return undefined;
  const baseline = findCase(session.run.profile, c.baseline);
  if (!baseline) throw new Error(`case ${c.id} names unknown baseline ${c.baseline}`);
  let got: string;
  try {
    const result = await resultOf(session, baseline, sequenceOf(baseline));
    const status = result.exchange.response?.status;
    if (status !== undefined && c.baselineStatus.includes(status)) return undefined;
    got = status === undefined ? `no response (${result.exchange.error?.code})` : String(status);
  } catch (error) {
    if (!(error instanceof CaseSetupError)) throw error;
    got = `no response (its setup failed: ${error.message})`;
  }
  return `not judged: the request it is compared with (${baseline.title}) got ${oneLine(got)}, not ${c.baselineStatus.join(' or ')}, so there is nothing of that kind to compare with`;
}

function sequenceOf(c: Case): (() => Promise<CaseResult>) | undefined {
  if (!c.sequence) return undefined;
  const sequence = SEQUENCES[c.sequence];
  if (!sequence) throw new Error(`case ${c.id} names unknown sequence ${c.sequence}`);
  return () => sequence.run(getSession(), c);
}

/** Defines the tests of one case: one per requirement (the run's profile resolved them). */
export function defineCase(c: Case): void {
  const session = getSession();
  const execute = sequenceOf(c);
  for (const id of c.requirements) {
    const requirement = getRequirement(session.run.profile, id);
    test(testName(requirement, c), (context) => judge(context, session, requirement, c, execute));
  }
}

/** Defines the tests of every case of an area (cases/<area>.json of the core and the profiles), in the profile's order. */
export function defineCases(area: string): void {
  // The session first: it adopts the CLI's catalog, which spares this thread reading specs/.
  getSession();
  // Whichever area runs first starts the long waits (src/early-start.ts).
  beforeAll(() => startEarly(getSession()));
  // Each area begins with a reuse of the shared token (src/sequences/reuse.ts).
  beforeAll(() => probeSharedToken(getSession(), area));
  const { cases } = profileCatalog(getSession().run.profile);
  for (const c of cases.filter((candidate) => candidate.area === area)) defineCase(c);
}
