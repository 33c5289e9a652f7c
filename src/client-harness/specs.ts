/** What the client harness scripts and judges, as data: specs/client-scenarios.json and client-requirements.json. */
import { faker } from '@faker-js/faker/locale/base';
import { readSpecFile, type Source, SPECS_DIR } from '../contract/catalog.ts';
import type { FaultSpec, Level, RetryAfterFormat } from '../shared/types.ts';

/** A fault as a scenario gives it: its Retry-After may be "drawn" from the run's seed. */
export type ScenarioFault = Omit<FaultSpec, 'retryAfterSeconds'> & {
  retryAfterSeconds?: number | 'drawn';
};

export interface Scenario {
  name: string;
  title: string;
  env: { CALLS: number; CALL_INTERVAL_MS: number; REVOKE_AT_END: 0 | 1 };
  tokenLifetimeSeconds?: number;
  faults?: ScenarioFault[];
  revokeAfterResourceCalls?: number;
  /** Rotate the account's secret and revoke its tokens once this many resource calls answered 200. */
  rotateSecretAfterResourceCalls?: number;
  /** Revoke the first token as it is issued: the resource refuses it long before its expires_in. */
  refuseFirstToken?: true;
  /** The mock's active-token limit for this scenario (MockOptions.maxActiveTokens). */
  maxActiveTokens?: number;
  /**
   * What the live service does that this scenario scripts, where that is said and at what
   * level: `observed` where only public client code or newer docs say it.
   */
  condition?: { level: Level; sources: Source[] };
  malformedTokenResponse?: true;
  bareRevokeResponse?: true;
  wrongSecret?: true;
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

/** Whole seconds, both ends included. */
export interface SecondsRange {
  min: number;
  max: number;
}

export interface ClientCatalog {
  /** The mock answers no sooner than this after a request arrives (ms). */
  latencyMs: number;
  /** Where drawn Retry-After values come from. */
  retryAfterSeconds: { short: SecondsRange; long: SecondsRange };
  scenarios: Scenario[];
  requirements: ClientRequirement[];
}

/** Loads and cross-checks both files: unknown judges or scenario names, duplicate ids are refused. */
export function loadClientCatalog(judges: readonly string[], dir = SPECS_DIR): ClientCatalog {
  const { latencyMs, scenarios, retryAfterSeconds } = readSpecFile(
    `${dir}/client-scenarios.json`,
    'urn:oauth-conformance:schemas:client-scenarios',
  ) as Pick<ClientCatalog, 'latencyMs' | 'scenarios' | 'retryAfterSeconds'>;
  for (const range of Object.values(retryAfterSeconds))
    if (range.min > range.max)
      throw new Error(`retryAfterSeconds: min ${range.min} > max ${range.max}`);
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
  return { latencyMs, retryAfterSeconds, scenarios, requirements };
}

/** A scenario with every drawn value fixed: what one run scripts. */
export type ScriptedScenario = Omit<Scenario, 'faults'> & {
  faults?: FaultSpec[];
  /** The Retry-After its faults send, when drawn: for the report. */
  retryAfter?: { seconds: number; format: RetryAfterFormat; length: 'short' | 'long' };
};

const FORMATS: readonly RetryAfterFormat[] = ['delta-seconds', 'http-date'];

const formatOf = (scenario: Scenario): RetryAfterFormat | undefined => {
  const fault = scenario.faults?.find((f) => f.retryAfterSeconds === 'drawn');
  return fault ? (fault.retryAfterFormat ?? 'delta-seconds') : undefined;
};

/**
 * Fixes every drawn Retry-After of the catalog from the seed. For each form, the scenarios that
 * draw one are shuffled; the first half (rounded up) get a long value, the others a short one, so
 * a run always holds a long value in each form: a program that caps or guesses the wait fails,
 * only one that reads the header passes all. The draw covers the whole catalog, so a scenario's
 * value does not depend on which scenarios were selected.
 */
export function scriptScenarios(catalog: ClientCatalog, seed: number): ScriptedScenario[] {
  faker.seed(seed);
  const drawn = new Map<string, NonNullable<ScriptedScenario['retryAfter']>>();
  for (const format of FORMATS) {
    const names = catalog.scenarios.filter((s) => formatOf(s) === format).map((s) => s.name);
    const longCount = Math.ceil(names.length / 2);
    faker.helpers.shuffle(names).forEach((name, i) => {
      const length = i < longCount ? 'long' : 'short';
      const seconds = faker.number.int(catalog.retryAfterSeconds[length]);
      drawn.set(name, { seconds, format, length });
    });
  }
  return catalog.scenarios.map((scenario) => {
    const retryAfter = drawn.get(scenario.name);
    const { faults, ...rest } = scenario;
    if (!faults) return rest;
    return {
      ...rest,
      faults: faults.map(({ retryAfterSeconds, ...fault }) => ({
        ...fault,
        ...(retryAfterSeconds === 'drawn'
          ? { retryAfterSeconds: retryAfter?.seconds ?? 1 }
          : retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds }),
      })),
      ...(retryAfter ? { retryAfter } : {}),
    };
  });
}

/** The requirements judged in a scenario, in catalog order. */
export function requirementsFor(catalog: ClientCatalog, scenario: string): ClientRequirement[] {
  return catalog.requirements.filter(
    (requirement) =>
      requirement.scenarios.includes('*') || requirement.scenarios.includes(scenario),
  );
}
