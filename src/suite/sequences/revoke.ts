/**
 * Revocation sequences. Each probes the token before the revoke request (a token that did not
 * work proves nothing; a fresh one twice, see probeTwice) and watches the probe after it.
 */

import type { Case } from '../../contract/catalog.ts';
import { CaseSetupError } from '../../shared/errors.ts';
import type { Exchange } from '../../target/http.ts';
import { sleep } from '../../target/waits.ts';
import type { RevocationFacts } from '../checks/facts.ts';
import type { CaseResult } from '../checks/index.ts';
import {
  buildRequest,
  callProbe,
  placeholderValues,
  requestToken,
  sendPaced,
  sharedToken,
} from '../execute.ts';
import type { Session } from '../session.ts';

export type { RevocationFacts } from '../checks/facts.ts';

/**
 * How often the probe is polled: a fifth of a second of the target's rate-limit clock (200 ms for
 * a real target, proportionately less on the embedded mock's faster clock; see RunSettings.secondMs).
 */
const pollMs = (session: Session) => Math.max(5, session.run.secondMs / 5);

/**
 * Probes `token` until the probe refuses it (401) or `windowMs` has passed, and never past the
 * run's deadline (the watch is cut short, and a later probe would not be sent anyway).
 */
async function watchProbe(
  session: Session,
  token: string,
  wantedMs: number,
): Promise<Omit<RevocationFacts, 'before'>> {
  const windowMs = Math.max(0, Math.min(wantedMs, session.run.deadlineAt - Date.now()));
  const started = performance.now();
  let probes = 0;
  let last: number | undefined;
  for (;;) {
    const exchange = await callProbe(session, token);
    probes += 1;
    last = exchange.response?.status;
    const elapsed = Math.round(performance.now() - started);
    if (last === 401) return { refusedAfterMs: elapsed, watchedMs: elapsed, probes, last };
    if (elapsed >= windowMs)
      return { watchedMs: elapsed, probes, ...(last === undefined ? {} : { last }) };
    await sleep(Math.min(pollMs(session), windowMs - elapsed));
  }
}

/**
 * A fresh token tried at the probe twice before it is revoked: the status of its second use (the
 * one a revocation is judged against) and of its first. A token the target lets through only once
 * is refused on its second use, revoke or not: judged against its first use alone, such a target
 * would seem to revoke on request even when its revoke endpoint does nothing.
 */
async function probeTwice(
  session: Session,
  token: string,
): Promise<{ exchange: Exchange; firstUse: number | undefined }> {
  const first = await callProbe(session, token);
  return { exchange: await callProbe(session, token), firstUse: first.response?.status };
}

/**
 * How long to watch a token that must survive: twice what revocation took in the lifecycle
 * case, plus half a second of the target's clock (500 ms for a real target, proportionately less
 * on the embedded mock's faster clock), so a wrongful revocation that takes effect as slowly is
 * still seen.
 */
function survivalWindowMs(session: Session): number {
  const measured = session.revocationDelayMs;
  const wait = session.run.revocationWaitMs;
  return measured === undefined ? wait : Math.min(wait, measured * 2 + session.run.secondMs / 2);
}

/**
 * One revoke request, then the probe: a `{{fresh-token}}` is expected to be revoked (watched
 * until refused), a `{{shared-token}}` to survive (watched for the survival window).
 */
export async function revokeAndProbe(session: Session, c: Case): Promise<CaseResult> {
  const notes: string[] = [];
  let values = await placeholderValues(session, c, notes);
  const shared = values['shared-token'] !== undefined;
  const tokenOf = (v: Record<string, string>) => v['fresh-token'] ?? v['shared-token'];
  let token = tokenOf(values);
  if (!token) throw new CaseSetupError(`case ${c.id} names no {{fresh-token}} or {{shared-token}}`);
  if (!session.run.resourceProbe) {
    const { request, clientId } = buildRequest(session, c, values);
    return { exchange: await sendPaced(session, request, clientId, notes), notes };
  }
  // A fresh token is tried twice (probeTwice); the shared one has been used many times already.
  const fresh = shared ? undefined : await probeTwice(session, token);
  let before = fresh ? fresh.exchange : await callProbe(session, token);
  if (shared && before.response?.status === 401) {
    notes.push(
      'the shared token no longer worked (an earlier case revoked it?); a new one was issued',
    );
    values = { ...values, 'shared-token': await sharedToken(session, notes, true) };
    token = tokenOf(values) as string;
    before = await callProbe(session, token);
  }
  const { request, clientId } = buildRequest(session, c, values);
  const exchange = await sendPaced(session, request, clientId, notes);
  const windowMs = shared ? survivalWindowMs(session) : session.run.revocationWaitMs;
  const watched = await watchProbe(session, token, windowMs);
  const facts: RevocationFacts = {
    ...watched,
    ...(before.response ? { before: before.response.status } : {}),
    ...(fresh?.firstUse === undefined ? {} : { firstUse: fresh.firstUse }),
  };
  return { exchange, notes, facts: { of: 'revocation', ...facts } };
}

/**
 * The life of a token: it works; it is revoked (200, no body); the probe refuses it (timed);
 * the account's other token still works; revoking it again gets 200; a new token can be had.
 */
export async function revokeLifecycle(session: Session, c: Case): Promise<CaseResult> {
  const notes: string[] = [];
  const values = await placeholderValues(session, c, notes);
  const token = values['fresh-token'];
  if (!token) throw new CaseSetupError(`case ${c.id} names no {{fresh-token}}`);
  const probing = session.run.resourceProbe !== null;
  const other = probing ? await sharedToken(session, notes) : undefined;
  const tried = probing ? await probeTwice(session, token) : undefined;
  const before = tried?.exchange;
  const steps: Record<string, Exchange> = {};
  if (probing && other) steps.otherTokenBefore = await callProbe(session, other);

  const { request, clientId } = buildRequest(session, c, values);
  const exchange = await sendPaced(session, request, clientId, notes);
  let facts: RevocationFacts | undefined;
  if (probing && other) {
    const watched = await watchProbe(session, token, session.run.revocationWaitMs);
    facts = {
      ...watched,
      ...(before?.response ? { before: before.response.status } : {}),
      ...(tried?.firstUse === undefined ? {} : { firstUse: tried.firstUse }),
    };
    if (watched.refusedAfterMs !== undefined) session.revocationDelayMs = watched.refusedAfterMs;
    steps.otherTokenProbe = await callProbe(session, other);
  }
  steps.repeat = await sendPaced(session, request, clientId, notes);
  const reissued = await requestToken(session, notes);
  steps.reissue = reissued.exchange;
  if (probing && reissued.token) steps.reissueProbe = await callProbe(session, reissued.token);
  return { exchange, notes, steps, ...(facts ? { facts: { of: 'revocation', ...facts } } : {}) };
}
