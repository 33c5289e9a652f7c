/** Generated malformed requests (src/suite/fuzz-inputs.ts), sent through the budget, each answer recorded. */

import type { Case } from '../../contract/catalog.ts';
import { CaseSetupError } from '../../shared/errors.ts';
import type { Exchange } from '../../target/http.ts';
import { fuzzAccount } from '../assignment.ts';
import type { FuzzOutcome } from '../checks/facts.ts';
import type { CaseResult } from '../checks/index.ts';
import { endpointPath, extraTokenParameters, sendPaced } from '../execute.ts';
import { fuzzInputs } from '../fuzz-inputs.ts';
import type { Session } from '../session.ts';

/** What one generated request got: its status, or the transport error. */
export type { FuzzFacts, FuzzOutcome } from '../checks/facts.ts';

export async function fuzz(session: Session, c: Case): Promise<CaseResult> {
  const { run } = session;
  if (c.endpoint === 'probe') throw new CaseSetupError('no fuzzing of the probe');
  const url = `${run.target}${endpointPath(session, c.endpoint)}`;
  const notes: string[] = [];
  const steps: Record<string, Exchange> = {};
  const outcomes: FuzzOutcome[] = [];
  const inputs = fuzzInputs(
    run.seed,
    run.fuzz,
    c.endpoint,
    url,
    // Inputs with valid credentials carry the account the plan chose for each (src/suite/plan.ts).
    fuzzAccount(run, c),
    session.credentialEncoding,
    Object.fromEntries(extraTokenParameters(session, c.endpoint, { grant_type: '' })),
  );
  for (const [i, input] of inputs.entries()) {
    const exchange = await sendPaced(session, input.request, input.clientId, notes);
    const step = `input ${i + 1} (${input.kind})`;
    steps[step] = exchange;
    outcomes.push({
      kind: input.kind,
      step,
      ...(input.alsoAccepted ? { alsoAccepted: input.alsoAccepted } : {}),
      ...(exchange.response
        ? { status: exchange.response.status }
        : { error: `${exchange.error?.code} ${exchange.error?.message}` }),
    });
  }
  const last = Object.values(steps).at(-1);
  if (!last) throw new CaseSetupError('--fuzz is 0: nothing generated');
  return { exchange: last, steps, notes, facts: { of: 'fuzz', outcomes } };
}
