/**
 * Token reuse (token.reuse): the run's shared token is tried at the probe at the start of each
 * area and once more at the end, so its reuses spread over the run and cost no token request: a
 * token that works once and not again (single use, or dying long before its expires_in) is seen.
 */

import type { Case } from '../../contract/catalog.ts';
import type { ReuseFacts } from '../checks/facts.ts';
import type { CaseResult } from '../checks/index.ts';
import { callProbe, sharedToken } from '../execute.ts';
import type { Session } from '../session.ts';

export type { ReuseFacts } from '../checks/facts.ts';

const watched = new WeakMap<Session, { startedAt: number; facts: ReuseFacts }>();

function recordOf(session: Session): { startedAt: number; facts: ReuseFacts } {
  let record = watched.get(session);
  if (!record) {
    // Before the shared token is asked for: its issue is no earlier than this.
    record = {
      startedAt: Date.now(),
      facts: { probes: [], lifetimeSeconds: session.run.tokenLifetimeSeconds },
    };
    watched.set(session, record);
  }
  return record;
}

/**
 * Tries the shared token at the probe, if a case has asked for it already (never asks for one
 * itself) and the target has a probe. `where`: the area about to run.
 */
export async function probeSharedToken(session: Session, where: string): Promise<void> {
  const record = recordOf(session);
  if (!session.run.resourceProbe || !session.sharedToken) return;
  let token: string;
  try {
    token = await session.sharedToken;
  } catch {
    return;
  }
  const exchange = await callProbe(session, token);
  const status = exchange.response?.status;
  record.facts.probes.push({
    where,
    afterMs: Date.now() - record.startedAt,
    ...(status === undefined ? {} : { status }),
  });
}

/** The last reuse, and what the earlier ones got. */
export async function tokenReuse(session: Session, _c: Case): Promise<CaseResult> {
  const notes: string[] = [];
  const record = recordOf(session);
  const token = await sharedToken(session, notes);
  const exchange = await callProbe(session, token);
  const status = exchange.response?.status;
  record.facts.probes.push({
    where: 'the end',
    afterMs: Date.now() - record.startedAt,
    ...(status === undefined ? {} : { status }),
  });
  return { exchange, notes, facts: { of: 'reuse', ...record.facts } };
}
