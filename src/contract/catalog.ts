/**
 * The contract as data: the vendor-neutral core (specs/core) and the profiles built on it
 * (specs/profiles/<name>, or a folder of the user's own), each resolved to the requirements and
 * cases it judges. Every file is checked against its schema and every profile cross-checked
 * when the catalog loads.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { jsonSyntaxError } from '../shared/json-syntax.ts';
import { CODE_EXTENSION, packagePath } from '../shared/paths.ts';
import type {
  ClientCredentialEncoding,
  Level,
  ProfileName,
  RateLimit,
  Trigger,
} from '../shared/types.ts';
import { addSchemas, validate } from './schemas.ts';

export interface Source {
  /** A file of the profile's sources/ (or an ancestor's: the vendor's pages), or an RFC such as `RFC 6749`. */
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
  /**
   * The level its RFC sentence gives it (its level in specs/core), set when the profile judges
   * it at another level (the vendor's documents say so).
   */
  rfcLevel?: 'rfc-must' | 'rfc-should';
  statement: string;
  sources: Source[];
  check: { name: string; with?: Record<string, unknown> };
  /** A known departure of the live service from the docs, recognised by its own check. */
  drift?: { check: { name: string; with?: Record<string, unknown> }; known: string };
  note?: string;
}

export type BasicAuthRole = 'primary' | 'secondary' | 'accessDenied' | 'invalidGrant' | 'unknown';

export interface CaseRequest {
  method?: string;
  query?: Record<string, string>;
  auth?: { basic: BasicAuthRole; secret?: 'wrong' } | { header: string };
  form?: Record<string, string>;
}

export interface Case {
  id: string;
  /** The case file it comes from (cases/<area>.json of the core or a profile), run by suites/<area>.test.ts. */
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
  probe?: boolean;
  /**
   * What the case judges holds for any ordinary account: the run may send its primary
   * credentials (and a `{{fresh-token}}`, and a fuzz case's valid credentials) as the secondary
   * account's, to spread rate-limited requests over both budgets (src/suite/plan.ts decides). A case
   * whose baseline has it follows its baseline to the same account.
   */
  anyAccount?: true;
  requirements: string[];
}

export interface Profile {
  description: string;
  /** The profile this one builds on; none: the core plus this profile's folder. */
  extends?: ProfileName;
  /** Form parameters added to every token request meant to succeed (the config's are added over them). */
  tokenRequestParameters?: Record<string, string>;
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

/** A file of a profile's sources/ as a reader finds it: its title and public address (documents.json). */
interface SourceDocument {
  title: string;
  publisher: string;
  url: string | null;
  /** Where the file is in this package (filled in when read). */
  path?: string;
}

let documents: Map<string, SourceDocument> | undefined;

/** Every profile's sources/documents.json under specs/profiles, by file name. */
function sourceDocuments(): Map<string, SourceDocument> {
  if (documents) return documents;
  documents = new Map();
  const profiles = join(SPECS_DIR, 'profiles');
  for (const name of existsSync(profiles) ? readdirSync(profiles).sort() : []) {
    const file = join(profiles, name, 'sources', 'documents.json');
    if (!existsSync(file)) continue;
    const listed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, SourceDocument>;
    for (const [document, entry] of Object.entries(listed))
      if (!document.startsWith('$'))
        documents.set(document, { ...entry, path: `specs/profiles/${name}/sources/${document}` });
  }
  return documents;
}

/**
 * Where a person reads `document`: for a file of a profile's sources/, its title and public URL
 * (or the file's place in this package when it has none); for an RFC, the RFC Editor's page;
 * `undefined` for anything else.
 */
export function documentReference(document: string): string | undefined {
  const rfc = /^RFC (\d{3,5})$/.exec(document);
  if (rfc) return `https://www.rfc-editor.org/rfc/rfc${rfc[1]}`;
  const known = sourceDocuments().get(document);
  if (!known) return undefined;
  return `"${known.title}", ${known.publisher}, ${known.url ?? `${known.path} in this package`}`;
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
export const AREA_ORDER = ['token', 'revoke', 'fuzz', 'rate-limit', 'lifetime'];

/**
 * A file of specs/, checked against its schema (an error names the file and every violation);
 * with `checked` false, read as it is (a built-in file the build has checked: {@link LoadOptions}).
 */
export function readSpecFile(path: string, schema: string, checked = true): unknown {
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const where = text.startsWith('\uFEFF')
      ? 'a byte order mark at its start, RFC 8259 §8.1'
      : (jsonSyntaxError(text) ?? 'unreadable');
    throw new Error(`${path} is not JSON (${where})`);
  }
  if (!checked) return data;
  const result = validate(schema, data);
  if (!result.ok) throw new Error(`${path} does not match ${schema}: ${result.errors.join('; ')}`);
  return data;
}

/** One profile, resolved: its settings with the inherited ones filled in, what it judges, and where its sources are. */
export interface ProfileCatalog {
  name: ProfileName;
  profile: Profile;
  /** The requirements it judges, by id, at the level it judges them. */
  requirements: Map<string, Requirement>;
  /** Its cases in run order within each area, each naming only requirements the profile judges. */
  cases: Case[];
  /** Where a source `document` of its requirements is found: its own sources/ first, then its ancestors'. */
  sourceDirs: string[];
}

export interface Catalog {
  profiles: Map<ProfileName, ProfileCatalog>;
  /** The JSON Schemas of profile folders outside the package, to register in another thread. */
  extraSchemas: object[];
}

/** What a folder of the core or of a profile holds, read and checked against its schemas. */
interface Layer {
  name: string;
  dir: string;
  profile?: Partial<Profile>;
  requirements: Requirement[];
  amend: { id: string; level?: Level; sources?: Source[]; note?: string }[];
  exclude: string[];
  cases: (Omit<Case, 'area'> & { after?: string; area: string })[];
  caseAmend: { id: string; requirements: string[] }[];
}

const PROFILE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

function readLayer(dir: string, name: string, checked: boolean): Layer {
  const layer: Layer = {
    name,
    dir,
    requirements: [],
    amend: [],
    exclude: [],
    cases: [],
    caseAmend: [],
  };
  if (name !== 'core')
    layer.profile = readSpecFile(
      `${dir}/profile.json`,
      'urn:oauth-conformance:schemas:profile',
      checked,
    ) as Partial<Profile>;
  if (existsSync(`${dir}/requirements.json`)) {
    const data = readSpecFile(
      `${dir}/requirements.json`,
      'urn:oauth-conformance:schemas:requirements',
      checked,
    ) as { requirements?: Requirement[]; amend?: Layer['amend']; exclude?: string[] };
    layer.requirements = data.requirements ?? [];
    layer.amend = data.amend ?? [];
    layer.exclude = data.exclude ?? [];
  }
  if (existsSync(`${dir}/cases`)) {
    for (const file of readdirSync(`${dir}/cases`)
      .filter((entry) => entry.endsWith('.json'))
      .sort()) {
      const data = readSpecFile(
        `${dir}/cases/${file}`,
        'urn:oauth-conformance:schemas:cases',
        checked,
      ) as {
        cases: (Omit<Case, 'area'> & { after?: string })[];
        amend?: Layer['caseAmend'];
      };
      const area = file.replace(/\.json$/, '');
      layer.cases.push(...data.cases.map((c) => ({ ...c, area })));
      layer.caseAmend.push(...(data.amend ?? []));
    }
  }
  return layer;
}

function schemaDocuments(dir: string): object[] {
  if (!existsSync(`${dir}/schemas`)) return [];
  return readdirSync(`${dir}/schemas`)
    .filter((file) => file.endsWith('.schema.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(`${dir}/schemas/${file}`, 'utf8')) as object);
}

/** Every profile folder: the built-in ones (specs/profiles), then those given (a path each). */
function profileFolders(specsDir: string, extra: readonly string[]): Map<string, string> {
  const folders = new Map<string, string>();
  const add = (name: string, dir: string) => {
    if (!PROFILE_NAME.test(name))
      throw new Error(
        `profile folder ${dir}: its name must be lower-case letters, digits and -, at most 64`,
      );
    const known = folders.get(name);
    if (known && known !== dir)
      throw new Error(`profile ${name} is defined twice: ${known} and ${dir}`);
    folders.set(name, dir);
  };
  const builtIn = `${specsDir}/profiles`;
  for (const name of readdirSync(builtIn).sort())
    if (existsSync(`${builtIn}/${name}/profile.json`)) add(name, `${builtIn}/${name}`);
  for (const path of extra) {
    const dir = resolve(path);
    if (!existsSync(`${dir}/profile.json`))
      throw new Error(`profile folder ${path} has no profile.json`);
    add(basename(dir), dir);
    // Its siblings may be what it extends.
    for (const sibling of readdirSync(dirname(dir)).sort())
      if (!folders.has(sibling) && existsSync(`${dirname(dir)}/${sibling}/profile.json`))
        add(sibling, `${dirname(dir)}/${sibling}`);
  }
  return folders;
}

/** The requirements and cases of a chain of layers (the core first), resolved by the rules of the profile schemas. */
function resolveChain(chain: readonly Layer[]): Pick<ProfileCatalog, 'requirements' | 'cases'> {
  const requirements = new Map<string, Requirement>();
  let cases: Case[] = [];
  for (const layer of chain) {
    const where = layer.name === 'core' ? 'specs/core' : `profile ${layer.name}`;
    for (const id of layer.exclude) {
      if (!requirements.delete(id))
        throw new Error(`${where} excludes ${id}, which it does not inherit`);
    }
    for (const amend of layer.amend) {
      const inherited = requirements.get(amend.id);
      if (!inherited) throw new Error(`${where} amends ${amend.id}, which it does not inherit`);
      const changed: Requirement = { ...inherited };
      if (amend.level && amend.level !== inherited.level) {
        changed.level = amend.level;
        const rfc = inherited.rfcLevel ?? inherited.level;
        if (rfc === 'rfc-must' || rfc === 'rfc-should') changed.rfcLevel = rfc;
      }
      if (amend.sources) {
        const key = (s: Source) => JSON.stringify([s.document, s.section ?? '', s.quote]);
        const kept = new Set(amend.sources.map(key));
        const lost = inherited.sources.find((s) => !kept.has(key(s)));
        if (lost)
          throw new Error(
            `${where} restates the sources of ${amend.id} without the inherited one ${sourceLine({ sources: [lost] })}`,
          );
        changed.sources = amend.sources;
      }
      // The profile's note follows the inherited one: what its own documents add.
      if (amend.note)
        changed.note = inherited.note ? `${inherited.note} ${amend.note}` : amend.note;
      requirements.set(amend.id, changed);
    }
    for (const requirement of layer.requirements) {
      if (requirements.has(requirement.id))
        throw new Error(`${where}: duplicate requirement id ${requirement.id}`);
      requirements.set(requirement.id, requirement);
    }
    const excluded = new Set(layer.exclude);
    cases = cases.map((c) => ({
      ...c,
      requirements: c.requirements.filter((id) => !excluded.has(id)),
    }));
    for (const amend of layer.caseAmend) {
      const index = cases.findIndex((c) => c.id === amend.id);
      const inherited = cases[index];
      if (!inherited)
        throw new Error(`${where} amends case ${amend.id}, which it does not inherit`);
      const lost = inherited.requirements.find((id) => !amend.requirements.includes(id));
      if (lost)
        throw new Error(
          `${where} restates the requirements of case ${amend.id} without the inherited ${lost} (exclude it instead)`,
        );
      cases[index] = { ...inherited, requirements: amend.requirements };
    }
    for (const { after, ...c } of layer.cases) {
      if (cases.some((other) => other.id === c.id))
        throw new Error(`${where}: duplicate case id ${c.id}`);
      if (after === undefined) {
        cases.push(c);
        continue;
      }
      const index = cases.findIndex((other) => other.id === after);
      if (index < 0) throw new Error(`${where}: case ${c.id} runs after unknown case ${after}`);
      cases.splice(index + 1, 0, c);
    }
  }
  // A case whose every requirement a profile excluded judges nothing there.
  cases = cases.filter((c) => c.requirements.length > 0);
  checkCases(requirements, cases);
  return { requirements, cases };
}

function checkCases(requirements: Map<string, Requirement>, cases: readonly Case[]): void {
  const ids = new Set<string>();
  for (const c of cases) {
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
}

export interface LoadOptions {
  /** The package's specs/ (core and built-in profiles); tests point it at broken copies. */
  specsDir?: string;
  /** Profile folders outside the package (`--profile ./path`), each named by its folder. */
  extra?: readonly string[];
  /**
   * Which files are checked against their JSON Schemas: `all`, or `outside` (only profile folders
   * outside `specsDir`). Default: `all` when this code runs from its TypeScript sources (the
   * self-tests), `outside` when it runs built: `npm run build` checks the built-in files
   * (scripts/check-specs.js) and fails on a violation, and compiling those schemas costs each run
   * about a quarter of a second before its first request.
   */
  check?: 'all' | 'outside';
}

/**
 * Loads and cross-checks the core and every profile: an unknown `extends`, a cycle, a duplicate
 * id, an exclude or amend of what is not inherited, an unknown requirement id or baseline are
 * each refused with one line naming the profile (an Error).
 */
export function loadCatalog(options: LoadOptions = {}): Catalog {
  const specsDir = options.specsDir ?? SPECS_DIR;
  const extra = options.extra ?? [];
  const folders = profileFolders(specsDir, extra);
  const extraSchemas = [...new Set([...folders.values()])]
    .filter((dir) => !dir.startsWith(`${specsDir}/`))
    .flatMap(schemaDocuments);
  addSchemas(extraSchemas);
  const checkAll = (options.check ?? (CODE_EXTENSION === '.ts' ? 'all' : 'outside')) === 'all';
  const checked = (dir: string) => checkAll || !dir.startsWith(`${specsDir}/`);
  const core = readLayer(`${specsDir}/core`, 'core', checkAll);
  const layers = new Map<string, Layer>();
  for (const [name, dir] of folders) layers.set(name, readLayer(dir, name, checked(dir)));
  const profiles = new Map<ProfileName, ProfileCatalog>();
  for (const name of folders.keys()) {
    const chain: Layer[] = [];
    const seen: string[] = [];
    for (let current: string | undefined = name; current !== undefined; ) {
      if (seen.includes(current))
        throw new Error(
          `profile ${name}: extends forms a cycle (${[...seen, current].join(' -> ')})`,
        );
      seen.push(current);
      const layer = layers.get(current);
      if (!layer)
        throw new Error(
          `profile ${seen.at(-2)} extends unknown profile ${current} (known: ${[...folders.keys()].join(', ')})`,
        );
      chain.unshift(layer);
      current = layer.profile?.extends;
    }
    const profile = Object.assign({}, ...chain.map((layer) => layer.profile)) as Profile;
    delete profile.extends;
    const parent = chain.at(-2)?.name;
    if (parent) profile.extends = parent;
    const complete = chain.some((layer) => checked(layer.dir))
      ? validate('urn:oauth-conformance:schemas:profile#/$defs/complete', profile)
      : { ok: true, errors: [] };
    if (!complete.ok)
      throw new Error(`profile ${name} (with what it inherits): ${complete.errors.join('; ')}`);
    let resolved: Pick<ProfileCatalog, 'requirements' | 'cases'>;
    try {
      resolved = resolveChain([core, ...chain]);
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(message.startsWith('profile ') ? message : `profile ${name}: ${message}`);
    }
    profiles.set(name, {
      name,
      profile,
      ...resolved,
      sourceDirs: [...chain].reverse().map((layer) => `${layer.dir}/sources`),
    });
  }
  return { profiles, extraSchemas };
}

let catalog: Catalog | undefined;
let catalogExtra: readonly string[] = [];

export function getCatalog(): Catalog {
  catalog ??= loadCatalog({ extra: catalogExtra });
  return catalog;
}

/**
 * Makes a profile folder outside the package known to this process (`--profile ./path`) and
 * returns its name (the folder's). Throws as {@link loadCatalog} does.
 */
export function useProfileFolder(path: string): ProfileName {
  const dir = resolve(path);
  if (!catalogExtra.includes(dir)) {
    const extra = [...catalogExtra, dir];
    catalog = loadCatalog({ extra });
    catalogExtra = extra;
  }
  return basename(dir);
}

/** The profile `name` resolved; an Error naming the known profiles if there is none. */
export function profileCatalog(name: ProfileName): ProfileCatalog {
  const found = getCatalog().profiles.get(name);
  if (!found)
    throw new Error(
      `unknown profile ${name} (known: ${[...getCatalog().profiles.keys()].join(', ')})`,
    );
  return found;
}

/** The catalog as plain data, to hand to another thread (maps as lists). */
export interface CatalogData {
  profiles: (Omit<ProfileCatalog, 'requirements'> & { requirements: Requirement[] })[];
  extraSchemas: object[];
}

/** This process's catalog (loaded and checked once) as plain data. */
export function catalogData(): CatalogData {
  const { profiles, extraSchemas } = getCatalog();
  return {
    profiles: [...profiles.values()].map((p) => ({
      ...p,
      requirements: [...p.requirements.values()],
    })),
    extraSchemas,
  };
}

/**
 * Uses a catalog another thread loaded and checked ({@link catalogData}), so that this one does
 * not read and validate specs/ again: the suites' worker takes the CLI's. A catalog already in
 * use is kept.
 */
export function adoptCatalog(data: CatalogData): void {
  if (catalog) return;
  addSchemas(data.extraSchemas);
  catalog = {
    profiles: new Map(
      data.profiles.map((p) => [
        p.name,
        { ...p, requirements: new Map(p.requirements.map((r) => [r.id, r])) },
      ]),
    ),
    extraSchemas: data.extraSchemas,
  };
}

/** The areas (suites/<area>.test.ts) that have at least one case in `profile`. */
export function areasFor(profile: ProfileName): string[] {
  return [...new Set(profileCatalog(profile).cases.map((c) => c.area))];
}

/** A case of `profile` by id, or undefined. */
export function findCase(profile: ProfileName, id: string): Case | undefined {
  return profileCatalog(profile).cases.find((c) => c.id === id);
}

/** A requirement `profile` judges; an Error if it judges none by that id. */
export function getRequirement(profile: ProfileName, id: string): Requirement {
  const requirement = profileCatalog(profile).requirements.get(id);
  if (!requirement) throw new Error(`unknown requirement ${id} in profile ${profile}`);
  return requirement;
}

/** Every requirement id any profile judges (an --allow entry must name one). */
export function knownRequirementIds(): Set<string> {
  return new Set([...getCatalog().profiles.values()].flatMap((p) => [...p.requirements.keys()]));
}
