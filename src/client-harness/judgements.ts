/**
 * The judgements: one small named function per client requirement (specs/client-requirements.json
 * names it), reading the facts of one scenario run and returning a verdict with its reason.
 */

import { FORM_TYPE } from '../mock/client-request.ts';
import { fail, inconclusive, pass, type Verdict } from '../shared/verdict.ts';
import {
  judgeBackoff,
  judgeHonestExit,
  judgeNoTightLoop,
  judgeStopsAtTokenLimit,
} from './fault-judgements.ts';
import { type ClientRequest, learntAt, mayReactTo, seconds } from './observe.ts';
import { describeExit } from './program.ts';
import type { ScriptedScenario } from './specs.ts';

export interface ProgramResult {
  /** `null` when it was killed or never started. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Set when the program could not be started at all. */
  spawnError?: string;
  durationMs: number;
  /** The tails of its output (redacted in a ScenarioRun). */
  stdout: string;
  stderr: string;
}

export interface ScenarioRun {
  scenario: ScriptedScenario;
  requests: ClientRequest[];
  program: ProgramResult;
  timeoutMs: number;
  /** When the harness revoked the client's tokens server-side (ms since the program started). */
  revokedAt?: number;
}

export type { Verdict } from '../shared/verdict.ts';

export type Judge = (run: ScenarioRun) => Verdict;

/**
 * A Retry-After is honoured when the next token request reaches the mock no earlier than this
 * before the moment it names (timer granularity). That moment is the answer's delivery plus the
 * delta-seconds, or the HTTP-date itself: a date names whole seconds, so the program is held to
 * the second it names, not to a delay the date cannot express.
 */
export const RETRY_AFTER_TOLERANCE_MS = 50;
/** At most this many token requests in a row without a token: a first attempt and 3 retries. */
export const MAX_ATTEMPTS_WITHOUT_TOKEN = 4;
/** The renewal margin: a token may be renewed this close to its expiry, whichever is larger. */
export const RENEWAL_MARGIN_MS = 30_000;
export const RENEWAL_MARGIN_FRACTION = 0.1;

/** A judgement that has nothing to judge (the program never got that far) is inconclusive: skipped. */
const skip = inconclusive;

const ofKind = (run: ScenarioRun, ...kinds: ClientRequest['kind'][]) =>
  run.requests.filter((r) => kinds.includes(r.kind));
const issuedTokens = (run: ScenarioRun) => ofKind(run, 'token').filter((r) => r.issued);
const resourceOk = (run: ScenarioRun) =>
  ofKind(run, 'resource').filter((r) => r.status === 200).length;

/**
 * Whether the program surely knew how `answer` ended when it sent `r`: the answer was handed to
 * the connection (or the connection reset) before the program can have started to send `r`
 * (`sentBy`, its connection's accept time for a first request). Judgements that blame a request
 * for what its program knew use this; a request is never a reaction to its own answer. Those
 * that excuse or expect a reaction give the benefit of the doubt with `mayReactTo` (observe.ts).
 */
export function sentAfterAnswer(r: ClientRequest, answer: ClientRequest): boolean {
  const learnt = learntAt(answer);
  return r !== answer && learnt !== undefined && learnt < r.sentBy;
}

/**
 * Whether `other` was surely in flight when the program sent `r`: sent before it (by its
 * connection's accept time), and neither answered nor given up on (connection closed) by the time
 * `r` arrived. A request that may react to `r`'s own answer (it arrived after it) was not sent
 * before `r`, whenever its connection was opened: a spare connection an HTTP layer opened early
 * and used later does not make its request older.
 */
export function inFlightWhenSent(other: ClientRequest, r: ClientRequest): boolean {
  if (other === r || other.sentBy >= r.sentBy) return false;
  if (mayReactTo(r, other) || mayReactTo(other, r)) return false;
  const gaveUp = other.unanswered?.because === 'gave-up' ? other.unanswered.closedAt : undefined;
  return gaveUp === undefined || gaveUp >= r.arrivedAt;
}

/** `token request #2 (sent +0.011 s)`: how findings name a request. */
const named = (r: ClientRequest) =>
  `${r.kind === 'resource' ? 'resource call' : `${r.kind} request`} #${r.index} (sent +${seconds(r.sentBy)})`;

function exitedZero(run: ScenarioRun): boolean {
  return run.program.exitCode === 0 && !run.program.timedOut;
}

function noTokenReason(run: ScenarioRun): string {
  const requests = ofKind(run, 'token');
  if (requests.length === 0) return 'the program sent no token request';
  const statuses = [
    ...new Set(requests.flatMap((r) => (r.status === undefined ? [] : [r.status]))),
  ];
  if (statuses.length === 0) return 'no token request of the program was answered';
  if (statuses.includes(200))
    return 'the program never got a usable token (the scenario breaks them)';
  return `the program never got a token (the token endpoint answered ${statuses.join(', ')})`;
}

/**
 * The 401 for this token that had reached the program before it sent `r`, if any: surely
 * (`blame`, for a token presented again) or possibly (to excuse a renewal).
 */
function refusalKnownAt(run: ScenarioRun, ref: string, r: ClientRequest, blame: boolean) {
  return ofKind(run, 'resource').find(
    (q) =>
      q.bearer === ref && q.status === 401 && (blame ? sentAfterAnswer(r, q) : mayReactTo(r, q)),
  );
}

/** A resource call presenting a token after a 401 for it had reached the program. */
function presentedAfterRefusal(run: ScenarioRun): string | undefined {
  for (const r of ofKind(run, 'resource')) {
    if (r.bearer === undefined) continue;
    const refusal = refusalKnownAt(run, r.bearer, r, true);
    if (refusal)
      return `${named(r)} presented ${r.bearer} again after the 401 for it to ${named(refusal)} had reached the program (+${seconds(refusal.answeredAt ?? 0)})`;
  }
  return undefined;
}

export function judgeBasicAuth(run: ScenarioRun): Verdict {
  const requests = ofKind(run, 'token', 'revoke');
  if (requests.length === 0) return skip('the program sent no token or revocation request');
  const bad = requests.filter((r) => r.auth?.scheme !== 'basic');
  const first = bad[0];
  if (!first?.auth) return pass();
  const how =
    first.auth.scheme === 'none'
      ? first.auth.bodyCredentials
        ? 'no Authorization header, credentials in the body (client_secret_post)'
        : 'no client authentication at all'
      : first.auth.scheme === 'basic-undecodable'
        ? 'a Basic header that does not decode to id:secret'
        : first.auth.scheme === 'other'
          ? `Authorization: ${first.auth.name}`
          : 'HTTP Basic';
  return fail(
    `${bad.length} of ${requests.length} requests without HTTP Basic; request #${first.index} (${first.kind}) sent ${how}`,
  );
}

export function judgeRawClientId(run: ScenarioRun): Verdict {
  const basic = ofKind(run, 'token', 'revoke').filter((r) => r.auth?.scheme === 'basic');
  if (basic.length === 0) return skip('no request used HTTP Basic (see client.token.basic-auth)');
  for (const r of basic) {
    if (r.auth?.scheme !== 'basic') continue;
    if (r.auth.clientId === 'percent-encoded')
      return fail(
        `request #${r.index} sent the client id percent-encoded in Basic ("${r.auth.sentId}"); the live service compares the raw id and answers 401 invalid_client`,
      );
    if (r.auth.clientSecret === 'percent-encoded')
      return fail(
        `request #${r.index} sent the client secret percent-encoded in Basic; the live service compares it raw`,
      );
  }
  return pass();
}

export function judgeFormBody(run: ScenarioRun): Verdict {
  const requests = ofKind(run, 'token');
  if (requests.length === 0) return skip('the program sent no token request');
  for (const r of requests) {
    const problems: string[] = [];
    if (r.method !== 'POST') problems.push(`method ${r.method}`);
    if (r.form?.mediaType !== FORM_TYPE)
      problems.push(`Content-Type ${r.form?.mediaType || '(none)'}`);
    const grantTypes = (r.form?.params ?? []).filter(([name]) => name === 'grant_type');
    if (grantTypes.length !== 1 || grantTypes[0]?.[1] !== 'client_credentials')
      problems.push(
        grantTypes.length
          ? `grant_type=${grantTypes.map(([, v]) => v).join(',')}`
          : 'no grant_type',
      );
    if (problems.length) return fail(`token request #${r.index}: ${problems.join('; ')}`);
  }
  return pass();
}

export function judgeNoCredentialsInUrl(run: ScenarioRun): Verdict {
  if (run.requests.length === 0) return skip('the program sent no request');
  const bad = run.requests.find((r) => r.credentialsInUrl.length > 0);
  if (bad)
    return fail(
      `request #${bad.index} (${bad.method} ${bad.path}) carries ${bad.credentialsInUrl.join(', ')} in its query string`,
    );
  return pass();
}

export function judgeBearerIssuedToken(run: ScenarioRun): Verdict {
  const calls = ofKind(run, 'resource');
  if (calls.length === 0) return skip('the program made no resource call');
  const bad = calls.find((r) => r.bearer === 'none' || r.bearer === 'unknown');
  if (!bad) return pass();
  return fail(
    bad.bearer === 'none'
      ? `resource call #${bad.index} has no Authorization: Bearer header`
      : `resource call #${bad.index} presents a bearer token the token endpoint never issued`,
  );
}

/** What a request in flight brought, and when: the end of an in-flight finding. */
function broughtLater(pending: ClientRequest): string {
  if (pending.unanswered)
    return pending.unanswered.because === 'gave-up'
      ? `the program gave up on it later (+${seconds(pending.unanswered.closedAt)})`
      : 'it was never answered: the program exited first';
  const when = `+${seconds(pending.answeredAt ?? 0)}`;
  return pending.issued
    ? `${pending.issued.ref} came at ${when}`
    : `its ${pending.status} came at ${when}`;
}

/** Why token request `r` was not needed, from what the program knew when it sent it; undefined when it was. */
function unneeded(run: ScenarioRun, r: ClientRequest): string | undefined {
  const t = r.sentBy;
  const tokenRequests = ofKind(run, 'token');
  const pending = tokenRequests.find((q) => inFlightWhenSent(q, r));
  if (pending) {
    const what = pending.issued ? `${pending.issued.ref} was not yet received` : 'no answer yet';
    return `${what} when token request #${r.index} was sent (+${seconds(t)}): ${named(pending)} was still in flight (${broughtLater(pending)})`;
  }
  const revoked = new Set(
    ofKind(run, 'revoke')
      .filter((q) => q.sentBy < r.arrivedAt)
      .flatMap((q) => (q.form?.params ?? []).filter(([n]) => n === 'token').map(([, v]) => v)),
  );
  for (const q of tokenRequests) {
    if (!q.issued || q.answeredAt === undefined || !sentAfterAnswer(r, q)) continue;
    const lifetime = q.issued.expiresInSeconds * 1000;
    const margin = Math.max(RENEWAL_MARGIN_MS, lifetime * RENEWAL_MARGIN_FRACTION);
    if (r.arrivedAt >= q.answeredAt + lifetime - margin) continue;
    if (refusalKnownAt(run, q.issued.ref, r, false) || revoked.has(q.issued.ref)) continue;
    return `token request #${r.index} was sent at +${seconds(t)}, after ${q.issued.ref} had reached the program (+${seconds(q.answeredAt)}, expires_in ${q.issued.expiresInSeconds}), not near its expiry, never refused and not revoked`;
  }
  return undefined;
}

export function judgeTokenReuse(run: ScenarioRun): Verdict {
  if (issuedTokens(run).length === 0) return skip(noTokenReason(run));
  const tokenRequests = ofKind(run, 'token');
  const reasons = tokenRequests
    .map((r) => unneeded(run, r))
    .filter((x): x is string => x !== undefined);
  if (reasons.length === 0) return pass();
  const calls = ofKind(run, 'resource').length;
  const perCall = issuedTokens(run).length >= calls && calls > 1 ? ' (a token per call)' : '';
  return fail(
    `${reasons.length} of ${tokenRequests.length} token requests were not needed${perCall}; ${reasons[0]}`,
  );
}

export function judgeRenewAfterExpiry(run: ScenarioRun): Verdict {
  if (issuedTokens(run).length === 0) return skip(noTokenReason(run));
  const again = presentedAfterRefusal(run);
  if (again) return fail(again);
  const ok = resourceOk(run);
  const calls = run.scenario.env.CALLS;
  if (!exitedZero(run) || ok < calls)
    return fail(
      `${ok} of ${calls} resource calls answered 200 across ${issuedTokens(run).length} token(s); the program ${describeExit(run.program, run.timeoutMs)}`,
    );
  return pass(`${issuedTokens(run).length} tokens for ${calls} calls`);
}

export function judgeRenewAfter401(run: ScenarioRun): Verdict {
  if (run.revokedAt === undefined)
    return skip(
      issuedTokens(run).length === 0
        ? noTokenReason(run)
        : 'the program never made the resource calls after which the tokens are revoked',
    );
  const revokedAt = run.revokedAt;
  // The first 401 that reached the program, which is not always the 401 to the call sent first:
  // parallel calls are answered in the order their requests arrived.
  const refusal = ofKind(run, 'resource')
    .filter((r) => r.status === 401 && (r.answeredAt ?? 0) >= revokedAt)
    .sort((a, b) => (a.answeredAt ?? 0) - (b.answeredAt ?? 0))[0];
  const again = presentedAfterRefusal(run);
  if (again) return fail(again);
  const renewal = ofKind(run, 'token').find(
    // Without a refusal: a token the endpoint issued after the revocation (it handles a request as it arrives).
    (r) => r.issued && (refusal ? mayReactTo(r, refusal) : r.arrivedAt > revokedAt),
  );
  const okAfter = ofKind(run, 'resource').some(
    (r) => r.status === 200 && renewal !== undefined && mayReactTo(r, renewal),
  );
  if (!renewal || !okAfter || !exitedZero(run)) {
    const what = refusal
      ? `after the 401 to resource call #${refusal.index}`
      : 'after its tokens were revoked';
    return fail(
      `${what} the program ${renewal ? 'got a new token' : 'asked for no new token'}${okAfter ? '' : ' and made no successful call'}; it ${describeExit(run.program, run.timeoutMs)}`,
    );
  }
  return pass(refusal ? undefined : 'the program never presented a revoked token');
}

/** "Retry-After: 4", or "Retry-After: <date> (+5.000 s, 4.312 s after it came)". */
function describeRetryAfter(r: ClientRequest): string {
  const given = r.retryAfter;
  if (!given) return '';
  if (given.form === 'delta-seconds') return `Retry-After: ${given.value}`;
  const after = given.notBefore - (r.answeredAt ?? 0);
  return `Retry-After: ${given.value} (+${seconds(given.notBefore)}, ${seconds(after)} after it came)`;
}

export function judgeRetryAfterHonoured(run: ScenarioRun): Verdict {
  const tokenRequests = ofKind(run, 'token');
  const limited = tokenRequests.filter(
    (r) => (r.status === 429 || r.status === 503) && r.retryAfter !== undefined,
  );
  if (limited.length === 0)
    return skip('the token endpoint answered no 429 or 503 with Retry-After');
  const notes: string[] = [];
  for (const r of limited) {
    const answeredAt = r.answeredAt ?? 0;
    // The first token request that may react to this answer: requests in flight are not retries.
    // Its time is its arrival: a retry on a connection opened earlier was not sent when it opened.
    const next = tokenRequests.find((q) => mayReactTo(q, r));
    if (!next) {
      notes.push(
        `did not retry after the ${r.status} (${describeExit(run.program, run.timeoutMs)})`,
      );
      continue;
    }
    const waited = next.arrivedAt - answeredAt;
    if (next.arrivedAt < (r.retryAfter?.notBefore ?? 0) - RETRY_AFTER_TOLERANCE_MS)
      return fail(
        `token request #${next.index} was sent ${seconds(waited)} after the ${r.status} to ${named(r)} reached the program (+${seconds(answeredAt)}), which said ${describeRetryAfter(r)}`,
      );
    notes.push(`retried ${seconds(waited)} after the ${r.status} (${describeRetryAfter(r)})`);
  }
  return pass(notes.join('; '));
}

export function judgeRetriesBounded(run: ScenarioRun): Verdict {
  const tokenRequests = ofKind(run, 'token');
  if (tokenRequests.length === 0) return skip('the program sent no token request');
  let streak = 0;
  let longest = 0;
  for (const r of tokenRequests) {
    streak = r.issued ? 0 : streak + 1;
    longest = Math.max(longest, streak);
  }
  if (longest > MAX_ATTEMPTS_WITHOUT_TOKEN)
    return fail(
      `${longest} token requests in a row got no token (at most ${MAX_ATTEMPTS_WITHOUT_TOKEN}: a first attempt and ${MAX_ATTEMPTS_WITHOUT_TOKEN - 1} retries)`,
    );
  return pass();
}

export function judgeNoRetryOnClientError(run: ScenarioRun): Verdict {
  const tokenRequests = ofKind(run, 'token');
  const refused = tokenRequests.filter((r) => r.status === 400 || r.status === 401);
  if (refused.length === 0) return skip('the token endpoint answered no 400 or 401');
  for (const retry of tokenRequests) {
    const known = refused.find((r) => sentAfterAnswer(retry, r));
    if (known)
      return fail(
        `token request #${retry.index} was sent ${seconds(retry.sentBy - (known.answeredAt ?? 0))} after the ${known.status} to ${named(known)} reached the program`,
      );
  }
  return pass();
}

export function judgeFailsCleanly(run: ScenarioRun): Verdict {
  const { program } = run;
  if (program.spawnError || program.timedOut)
    return fail(`the program ${describeExit(program, run.timeoutMs)}`);
  if (program.exitCode === 0) {
    const tokens = issuedTokens(run).length;
    return fail(
      `the program exited 0 although ${tokens ? `only ${tokens} token(s) were usable` : 'it never got a usable token'} and ${resourceOk(run)} of ${run.scenario.env.CALLS} resource calls answered 200`,
    );
  }
  return pass(`the program ${describeExit(program, run.timeoutMs)}`);
}

export function judgeCallsSucceed(run: ScenarioRun): Verdict {
  const ok = resourceOk(run);
  const calls = run.scenario.env.CALLS;
  if (exitedZero(run) && ok >= calls) return pass();
  return fail(
    `${ok} of ${calls} resource calls answered 200; the program ${describeExit(run.program, run.timeoutMs)}`,
  );
}

export function judgeRevokeRequest(run: ScenarioRun): Verdict {
  const revocations = ofKind(run, 'revoke');
  if (revocations.length === 0)
    return skip(
      'the program did not revoke (revocation is optional: "Optionally, we can revoke the created OAuth token")',
    );
  for (const r of revocations) {
    const problems: string[] = [];
    if (r.method !== 'POST') problems.push(`method ${r.method}`);
    if (r.auth?.scheme !== 'basic') problems.push('no HTTP Basic client authentication');
    if (r.form?.mediaType !== FORM_TYPE)
      problems.push(`Content-Type ${r.form?.mediaType || '(none)'}`);
    const params = r.form?.params ?? [];
    const tokens = params.filter(([name]) => name === 'token');
    if (tokens.length !== 1) problems.push(tokens.length ? 'token repeated' : 'no token parameter');
    else if (tokens[0]?.[1] === 'unknown') problems.push('token is not one the endpoint issued');
    const hint = params.find(([name]) => name === 'token_type_hint');
    if (hint && hint[1] !== 'access_token') problems.push(`token_type_hint=${hint[1]}`);
    if (problems.length) return fail(`revocation #${r.index}: ${problems.join('; ')}`);
  }
  return pass();
}

export function judgeRevokeEmpty200(run: ScenarioRun): Verdict {
  const revoked = ofKind(run, 'revoke').find((r) => r.status === 200);
  if (!revoked)
    return skip(
      ofKind(run, 'revoke').length
        ? 'no revocation was answered 200 (see client.revoke.request)'
        : 'the program did not revoke',
    );
  if (exitedZero(run)) return pass();
  return fail(
    `revocation #${revoked.index} was answered 200 with ${run.scenario.bareRevokeResponse ? 'an empty body and no Content-Type' : 'the documented empty body'}, and the program ${describeExit(run.program, run.timeoutMs)}`,
  );
}

/** Every judgement, by the name specs/client-requirements.json gives it. */
export const JUDGEMENTS: Readonly<Record<string, Judge>> = {
  judgeBasicAuth,
  judgeRawClientId,
  judgeFormBody,
  judgeNoCredentialsInUrl,
  judgeBearerIssuedToken,
  judgeTokenReuse,
  judgeRenewAfterExpiry,
  judgeRenewAfter401,
  judgeRetryAfterHonoured,
  judgeRetriesBounded,
  judgeNoRetryOnClientError,
  judgeFailsCleanly,
  judgeCallsSucceed,
  judgeRevokeRequest,
  judgeRevokeEmpty200,
  judgeStopsAtTokenLimit,
  judgeBackoff,
  judgeNoTightLoop,
  judgeHonestExit,
};
