/**
 * The judgements of the scenarios where the service fails the way the live one is known to
 * (issue 19): the active-token limit, a 500 without Retry-After, a connection reset, and the
 * program's exit status when it could not finish. Each reads only the facts of one scenario run
 * (observe.ts) and returns a verdict with its reason; specs/client-requirements.json names them.
 */
import { fail, inconclusive, pass, type Verdict } from '../shared/verdict.ts';
import type { ScenarioRun } from './judgements.ts';
import { type ClientRequest, learntAt, mayReactTo, seconds } from './observe.ts';
import { describeExit } from './program.ts';

/**
 * A retry that reaches the mock sooner than this after the failure it follows is immediate: an
 * immediate retry takes a few ms, 3x that on a loaded machine; a deliberate wait is longer.
 */
export const IMMEDIATE_RETRY_MS = 250;
/** At most this many immediate retries in a row (one, as HTTP layers that retry a reset do). */
export const MAX_IMMEDIATE_RETRIES = 1;
/**
 * A delay grows when it is at least this much longer than the one before, and by at least
 * {@link BACKOFF_GROWTH_FACTOR}: more than the noise of a busy machine's timers and scheduling.
 */
export const BACKOFF_GROWTH_MS = 50;
export const BACKOFF_GROWTH_FACTOR = 1.25;

// A skip is a verdict that judged nothing (shared/verdict.ts): skipped with its reason.
const skip = inconclusive;

const tokenRequests = (run: ScenarioRun) => run.requests.filter((r) => r.kind === 'token');
const named = (r: ClientRequest) => `${r.kind} request #${r.index}`;

/** Whether the token endpoint refused `r` for the active-token limit (403 access_denied). */
const isLimitRefusal = (r: ClientRequest) => r.status === 403 && r.error === 'access_denied';

/**
 * Whether one of the program's tokens stopped counting against the limit between `from` and
 * `r` (ms since start): it expired (by its expires_in) or the program revoked it.
 */
function tokenFreed(run: ScenarioRun, from: number, r: ClientRequest): boolean {
  const expired = tokenRequests(run).some(
    (q) =>
      q.issued &&
      q.answeredAt !== undefined &&
      q.answeredAt + q.issued.expiresInSeconds * 1000 <= r.arrivedAt,
  );
  const revoked = run.requests.some(
    (q) =>
      q.kind === 'revoke' &&
      q.status === 200 &&
      (q.answeredAt ?? Number.POSITIVE_INFINITY) >= from &&
      mayReactTo(r, q),
  );
  return expired || revoked;
}

export function judgeStopsAtTokenLimit(run: ScenarioRun): Verdict {
  const requests = tokenRequests(run);
  const refusal = requests.find(isLimitRefusal);
  if (!refusal)
    return skip(
      `the token endpoint never answered 403 access_denied: the program never held more than the ${run.scenario.maxActiveTokens ?? 100} tokens the scenario allows`,
    );
  const known = learntAt(refusal) ?? 0;
  const again = requests.filter(
    (r) => r !== refusal && r.sentBy > known && !tokenFreed(run, known, r),
  );
  const first = again[0];
  if (!first) return pass();
  return fail(
    `${again.length} token request(s) after the 403 access_denied ("Access Token limit reached") to ${named(refusal)} reached the program (+${seconds(known)}), the first #${first.index} ${seconds(first.sentBy - known)} later, while none of its tokens had expired or been revoked`,
  );
}

/** The failed token requests without Retry-After that a later token request may react to, with that retry. */
function retriesAfter(
  run: ScenarioRun,
  failed: (r: ClientRequest) => boolean,
): { failure: ClientRequest; retry: ClientRequest; delayMs: number }[] {
  const requests = tokenRequests(run);
  const pairs: { failure: ClientRequest; retry: ClientRequest; delayMs: number }[] = [];
  for (const failure of requests.filter(failed)) {
    const retry = requests.find((q) => mayReactTo(q, failure));
    const learnt = learntAt(failure);
    if (retry && learnt !== undefined)
      pairs.push({ failure, retry, delayMs: retry.arrivedAt - learnt });
  }
  return pairs;
}

const isServerError = (r: ClientRequest) =>
  r.status !== undefined && r.status >= 500 && r.retryAfter === undefined;

export function judgeBackoff(run: ScenarioRun): Verdict {
  const failures = tokenRequests(run).filter(isServerError);
  if (failures.length === 0) return skip('the token endpoint answered no 5xx without Retry-After');
  const pairs = retriesAfter(run, isServerError);
  if (pairs.length === 0)
    return pass(
      `no retry after the ${failures[0]?.status} (the program ${describeExit(run.program, run.timeoutMs)})`,
    );
  for (let i = 1; i < pairs.length; i++) {
    const before = pairs[i - 1];
    const now = pairs[i];
    if (!before || !now) continue;
    const least = Math.max(
      before.delayMs + BACKOFF_GROWTH_MS,
      before.delayMs * BACKOFF_GROWTH_FACTOR,
    );
    if (now.delayMs < least)
      return fail(
        `the delays before its retries do not grow: ${pairs.map((p) => seconds(p.delayMs)).join(', ')} (token request #${now.retry.index} came ${seconds(now.delayMs)} after the ${now.failure.status} to #${now.failure.index}, after ${seconds(before.delayMs)} the time before)`,
      );
  }
  return pass(`retried after ${pairs.map((p) => seconds(p.delayMs)).join(', ')}`);
}

/** A token request that got no token and no Retry-After: a reset, a 5xx without it. */
const isBareFailure = (r: ClientRequest) => r.unanswered?.because === 'reset' || isServerError(r);

export function judgeNoTightLoop(run: ScenarioRun): Verdict {
  const failures = tokenRequests(run).filter(isBareFailure);
  if (failures.length === 0)
    return skip('no token request was reset or answered 5xx without Retry-After');
  let streak = 0;
  for (const { failure, retry, delayMs } of retriesAfter(run, isBareFailure)) {
    streak = delayMs < IMMEDIATE_RETRY_MS ? streak + 1 : 0;
    if (streak > MAX_IMMEDIATE_RETRIES)
      return fail(
        `${streak} immediate retries in a row: token request #${retry.index} came ${seconds(delayMs)} after ${named(failure)} ${failure.unanswered?.because === 'reset' ? 'was reset' : `was answered ${failure.status}`} (at most ${MAX_IMMEDIATE_RETRIES} retry sooner than ${IMMEDIATE_RETRY_MS} ms after a failure)`,
      );
  }
  return pass();
}

export function judgeHonestExit(run: ScenarioRun): Verdict {
  const { program } = run;
  const ok = run.requests.filter((r) => r.kind === 'resource' && r.status === 200).length;
  const calls = run.scenario.env.CALLS;
  if (program.spawnError || program.timedOut)
    return fail(`the program ${describeExit(program, run.timeoutMs)}`);
  if (program.exitCode === 0 && ok < calls)
    return fail(`the program exited 0 although only ${ok} of ${calls} resource calls answered 200`);
  return pass(
    program.exitCode === 0
      ? `${ok} of ${calls} calls answered 200`
      : `the program ${describeExit(program, run.timeoutMs)}`,
  );
}
