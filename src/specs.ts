/** The contract as data: requirements, plain cases and profiles from specs/, typed. */
import { readdirSync, readFileSync } from 'node:fs';
import { packagePath } from './paths.ts';
import { validate } from './schemas.ts';
import type { ClientCredentialEncoding, Level, ProfileName, RateLimit, Trigger } from './types.ts';

export interface Source {
  /** A file of specs/sources/ (the seeds), or an RFC such as `RFC 6749`. */
  document: string;
  section?: string;
  quote: string;
}

export interface Requirement {
  id: string;
  endpoint: 'token' | 'revoke' | 'probe';
  level: Level;
  /** `success`: judged only on a 2xx response (the status is another requirement's to judge). */
  judgedOn?: 'success' | number;
  /** The level its RFC sentence gives it, for profiles judged by the RFCs alone. */
  rfcLevel?: 'rfc-must' | 'rfc-should';
  statement: string;
  sources: Source[];
  check: { name: string; with?: Record<string, unknown> };
  /** A known departure of the live service from the docs, recognised by its own check. */
  drift?: { check: { name: string; with?: Record<string, unknown> }; known: string };
  profiles: ProfileName[];
  note?: string;
}

export type BasicAuthRole = 'primary' | 'secondary' | 'accessDenied' | 'invalidGrant' | 'unknown';

export interface CaseRequest {
  method?: string;
  query?: Record<string, string>;
  auth?: { basic: BasicAuthRole; secret?: 'wrong' } | { header: string };
  form?: Record<string, string>;
}

/** Requests a case sends to one endpoint; `limit+2` is a burst past its limit and one request after the Retry-After; `fuzz` is --fuzz N. */
export type Cost = number | 'limit+2' | 'fuzz';

export interface Case {
  id: string;
  /** The case file it comes from (specs/cases/<area>.json), run by suites/<area>.test.ts. */
  area: string;
  title: string;
  endpoint: 'token' | 'revoke' | 'probe';
  trigger: Trigger;
  request: CaseRequest;
  fault?: { status: 500 | 503; retryAfterSeconds?: number };
  baseline?: string;
  /** The statuses the baseline must get for this case's testcases to judge anything. */
  baselineStatus?: number[];
  /** A recipe in code (src/sequences), for cases of several requests. */
  sequence?: string;
  /** Requests to each rate-limited endpoint (see {@link Cost}). */
  cost?: { token: Cost; revoke: Cost };
  probe?: boolean;
  /**
   * What the case judges holds for any ordinary account: the run may send its primary
   * credentials (and a `{{fresh-token}}`, and a fuzz case's valid credentials) as the secondary
   * account's, to spread rate-limited requests over both budgets (src/plan.ts decides). A case
   * whose baseline has it follows its baseline to the same account.
   */
  anyAccount?: true;
  requirements: string[];
}

export interface Profile {
  description: string;
  /** How the suite encodes its own client credentials in HTTP Basic against this profile's targets. */
  clientCredentialEncoding: ClientCredentialEncoding;
  /** `rfc`: requirements are judged at their RFC level (rfcLevel), for a server held to the RFCs alone. */
  requirementLevels: 'documented' | 'rfc';
  paths: { token: string; revoke: string };
  resourceProbe: { path: string; accept: string } | null;
  rateLimit: RateLimit | null;
  revokeRateLimit: RateLimit | null;
  tokenLifetimeSeconds: number | null;
}

export const SPECS_DIR = packagePath('specs');

/** A file of specs/sources/ as a reader finds it: its title and public address (documents.json). */
interface SourceDocument {
  title: string;
  publisher: string;
  url: string | null;
}

let documents: Record<string, SourceDocument> | undefined;

/**
 * Where a person reads `document`: for a file of specs/sources/, its title and public URL (or the
 * file's place in this package when it has none); for an RFC, the RFC Editor's page; `undefined`
 * for anything else.
 */
export function documentReference(document: string): string | undefined {
  const rfc = /^RFC (\d{3,5})$/.exec(document);
  if (rfc) return `https://www.rfc-editor.org/rfc/rfc${rfc[1]}`;
  documents ??= JSON.parse(
    readFileSync(packagePath('specs', 'sources', 'documents.json'), 'utf8'),
  ) as Record<string, SourceDocument>;
  const known = Object.hasOwn(documents, document) ? documents[document] : undefined;
  if (!known) return undefined;
  return `"${known.title}", ${known.publisher}, ${known.url ?? `specs/sources/${document} in this package`}`;
}

/**
 * The first source of a requirement, as one line: `document §section (title, URL): "quote"`.
 * The file name stays (the quote is checked against that file); the title and URL beside it say
 * what a person opens to read it.
 */
export function sourceLine(requirement: { sources: readonly Source[] }): string {
  const source = requirement.sources[0];
  if (!source) return '';
  const reference = documentReference(source.document);
  return `${source.document}${source.section ? ` ${source.section}` : ''}${reference ? ` (${reference})` : ''}: "${source.quote}"`;
}

/** The order the suites run in (suites/<area>.test.ts): the rate-limit bursts last, so that they spend no other case's budget. */
export const AREA_ORDER = ['token', 'revoke', 'fuzz', 'rate-limit'];

/** A file of specs/, checked against its schema (an error names the file and every violation). */
export function readSpecFile(path: string, schema: string): unknown {
  const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const result = validate(schema, data);
  if (!result.ok)
    throw new Error(`${path} does not match ${schema}:\n  ${result.errors.join('\n  ')}`);
  return data;
}

export interface Catalog {
  requirements: Map<string, Requirement>;
  cases: Case[];
  profiles: Record<ProfileName, Profile>;
}

/** Loads and cross-checks specs/: unknown requirement ids, baselines or duplicate ids are refused. */
export function loadCatalog(dir = SPECS_DIR): Catalog {
  const { requirements: list } = readSpecFile(
    `${dir}/requirements.json`,
    'urn:oauth-conformance:schemas:requirements',
  ) as {
    requirements: Requirement[];
  };
  const requirements = new Map<string, Requirement>();
  for (const requirement of list) {
    if (requirements.has(requirement.id))
      throw new Error(`duplicate requirement id ${requirement.id}`);
    requirements.set(requirement.id, requirement);
  }
  const cases: Case[] = [];
  for (const file of readdirSync(`${dir}/cases`)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const data = readSpecFile(`${dir}/cases/${file}`, 'urn:oauth-conformance:schemas:cases') as {
      cases: Omit<Case, 'area'>[];
    };
    const area = file.replace(/\.json$/, '');
    cases.push(...data.cases.map((c) => ({ ...c, area })));
  }
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    ids.add(c.id);
    for (const id of c.requirements) {
      const requirement = requirements.get(id);
      if (!requirement) throw new Error(`case ${c.id} names unknown requirement ${id}`);
      if (requirement.endpoint !== c.endpoint)
        throw new Error(`case ${c.id} (${c.endpoint}) names ${id} (${requirement.endpoint})`);
    }
  }
  const byId = new Map(cases.map((c) => [c.id, c]));
  const sendsAsPrimary = (c: Case) => {
    const auth = c.request.auth;
    return auth !== undefined && 'basic' in auth && auth.basic === 'primary';
  };
  for (const c of cases) {
    if (c.baseline && !ids.has(c.baseline))
      throw new Error(`case ${c.id} names unknown baseline ${c.baseline}`);
    if (c.anyAccount && !sendsAsPrimary(c))
      throw new Error(`case ${c.id} is anyAccount but does not send the primary credentials`);
    if (c.baseline && byId.get(c.baseline)?.anyAccount && !sendsAsPrimary(c))
      throw new Error(
        `case ${c.id} follows its anyAccount baseline ${c.baseline} but does not send the primary credentials`,
      );
  }
  const { profiles } = readSpecFile(
    `${dir}/profiles.json`,
    'urn:oauth-conformance:schemas:profiles',
  ) as {
    profiles: Record<ProfileName, Profile>;
  };
  return { requirements, cases, profiles };
}

let catalog: Catalog | undefined;

export function getCatalog(): Catalog {
  catalog ??= loadCatalog();
  return catalog;
}

/** The catalog as plain data, to hand to another thread (the requirements as a list). */
export interface CatalogData {
  requirements: Requirement[];
  cases: Case[];
  profiles: Record<ProfileName, Profile>;
}

/** This process's catalog (loaded and checked once) as plain data. */
export function catalogData(): CatalogData {
  const { requirements, cases, profiles } = getCatalog();
  return { requirements: [...requirements.values()], cases, profiles };
}

/**
 * Uses a catalog another thread loaded and checked ({@link catalogData}), so that this one does
 * not read and validate specs/ again: the suites' worker takes the CLI's. A catalog already in
 * use is kept.
 */
export function adoptCatalog(data: CatalogData): void {
  catalog ??= {
    requirements: new Map(data.requirements.map((requirement) => [requirement.id, requirement])),
    cases: data.cases,
    profiles: data.profiles,
  };
}

/** The areas (suites/<area>.test.ts) that have at least one requirement in `profile`. */
export function areasFor(profile: ProfileName): string[] {
  const { cases, requirements } = getCatalog();
  const areas = cases
    .filter((c) => c.requirements.some((id) => requirements.get(id)?.profiles.includes(profile)))
    .map((c) => c.area);
  return [...new Set(areas)];
}

export function getRequirement(id: string): Requirement {
  const requirement = getCatalog().requirements.get(id);
  if (!requirement) throw new Error(`unknown requirement ${id}`);
  return requirement;
}
