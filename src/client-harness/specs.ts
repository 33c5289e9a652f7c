/** What the client harness scripts and judges, as data: specs/client-scenarios.json and client-requirements.json. */
import { readSpecFile, type Source, SPECS_DIR } from '../specs.ts';
import type { FaultSpec, Level } from '../types.ts';

export interface Scenario {
  name: string;
  title: string;
  env: { CALLS: number; CALL_INTERVAL_MS: number; REVOKE_AT_END: 0 | 1 };
  tokenLifetimeSeconds?: number;
  faults?: FaultSpec[];
  revokeAfterResourceCalls?: number;
  malformedTokenResponse?: true;
  bareRevokeResponse?: true;
  wrongSecret?: true;
  expect?: 'success' | 'failure';
}

export interface ClientRequirement {
  id: string;
  level: Level;
  statement: string;
  sources: Source[];
  judge: string;
  /** Scenario names, or `['*']` for all. */
  scenarios: string[];
  note?: string;
}

export interface ClientCatalog {
  scenarios: Scenario[];
  requirements: ClientRequirement[];
}

/** Loads and cross-checks both files: unknown judges or scenario names, duplicate ids are refused. */
export function loadClientCatalog(judges: readonly string[], dir = SPECS_DIR): ClientCatalog {
  const { scenarios } = readSpecFile(
    `${dir}/client-scenarios.json`,
    'urn:oauth-conformance:schemas:client-scenarios',
  ) as { scenarios: Scenario[] };
  const { requirements } = readSpecFile(
    `${dir}/client-requirements.json`,
    'urn:oauth-conformance:schemas:client-requirements',
  ) as { requirements: ClientRequirement[] };
  const names = new Set<string>();
  for (const scenario of scenarios) {
    if (names.has(scenario.name)) throw new Error(`duplicate scenario ${scenario.name}`);
    names.add(scenario.name);
  }
  const ids = new Set<string>();
  for (const requirement of requirements) {
    if (ids.has(requirement.id)) throw new Error(`duplicate requirement id ${requirement.id}`);
    ids.add(requirement.id);
    if (!judges.includes(requirement.judge))
      throw new Error(`${requirement.id} names unknown judge ${requirement.judge}`);
    for (const name of requirement.scenarios) {
      if (name !== '*' && !names.has(name))
        throw new Error(`${requirement.id} names unknown scenario ${name}`);
    }
  }
  return { scenarios, requirements };
}

/** The requirements judged in a scenario, in catalog order. */
export function requirementsFor(catalog: ClientCatalog, scenario: string): ClientRequirement[] {
  return catalog.requirements.filter(
    (requirement) =>
      requirement.scenarios.includes('*') || requirement.scenarios.includes(scenario),
  );
}
