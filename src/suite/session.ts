/**
 * The state of one run inside the vitest worker: the run context the CLI provided, the redactor
 * that learns every token issued, the request budget and the results of cases already run.
 * Suites run in one worker without isolation, so this is shared by every suite file.
 */
import { writeFileSync } from 'node:fs';
import { inject } from 'vitest';
import { adoptCatalog, type Case } from '../contract/catalog.ts';
import { createAccountsRedactor, type Redactor } from '../shared/redact.ts';
import { useRedactor } from '../shared/text.ts';
import type { ClientCredentialEncoding } from '../shared/types.ts';
import { type Budget, createBudget, paceMarginMs } from '../target/budget.ts';
import { configureTransport } from '../target/http.ts';
import type { CaseResult } from './checks/index.ts';
import type { RunContext } from './config.ts';
import { plannedCases } from './plan.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    run: RunContext;
  }
}

export interface Session {
  run: RunContext;
  redactor: Redactor;
  budget: Budget;
  /** Case results by case id: each case runs once, however many requirements judge it. */
  results: Map<string, Promise<CaseResult>>;
  /** The primary account's token that cases share (see sharedToken in cases.ts). */
  sharedToken?: Promise<string>;
  /** How long revocation took to take effect in the lifecycle case, once measured. */
  revocationDelayMs?: number;
  /** 429s met outside the rate-limit cases. */
  unplanned429s: number;
  /**
   * How the suite encodes its own client credentials in HTTP Basic now: the run's, until the
   * credential-encoding case finds that the target accepts only the other (see
   * src/suite/sequences/credential-encoding.ts).
   */
  credentialEncoding: ClientCredentialEncoding;
  /** Client ids whose credentials, as sent, got a success at least once this run. */
  acceptedClients: Set<string>;
  /** The cases the run executes, in order (plan.ts): the rate-limit bursts start their partners. */
  plannedCases: () => Case[];
}

let session: Session | undefined;

export function getSession(): Session {
  if (session) return session;
  const run = inject('run');
  if (!run) {
    throw new Error(
      'no run context: the suites in suites/ are run by `oauth-conformance run`, not by vitest directly',
    );
  }
  if (run.catalog) adoptCatalog(run.catalog);
  configureTransport({ deadlineAt: run.deadlineAt, ...(run.ca ? { ca: run.ca } : {}) });
  const redactor = createAccountsRedactor(run.accounts);
  useRedactor((text) => redactor.redact(text));
  const budget = createBudget(
    { [run.paths.token]: run.rateLimit, [run.paths.revoke]: run.revokeRateLimit },
    {
      deadlineAt: run.deadlineAt,
      secondMs: run.secondMs,
      marginMs: paceMarginMs(run.secondMs),
      onBook: () => recordSpend(),
      onWait: (key, ms, why) => {
        process.stderr.write(`  … waiting ${(ms / 1000).toFixed(1)} s for ${why}: ${key}\n`);
      },
    },
  );
  const current: Session = {
    run,
    redactor,
    budget,
    results: new Map(),
    unplanned429s: 0,
    credentialEncoding: run.clientCredentialEncoding,
    acceptedClients: new Set(),
    plannedCases: () => plannedCases(run),
  };
  // Written after every booking: the CLI reads it when the run ends, whatever ended it.
  function recordSpend(): void {
    writeFileSync(
      run.spendFile,
      JSON.stringify({ spent: budget.spent(), unplanned429s: current.unplanned429s }),
    );
  }
  session = current;
  return session;
}
