// The contract as data is itself checked: schemas of its own, known check names, quotes that
// really are in their sources, and every requirement exercised by some case.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { JUDGEMENTS } from '../src/client-harness/judgements.ts';
import { loadClientCatalog, scriptScenarios } from '../src/client-harness/specs.ts';
import { getCatalog, loadCatalog, type Source, SPECS_DIR } from '../src/contract/catalog.ts';
import { packagePath } from '../src/shared/paths.ts';
import { CHECKS } from '../src/suite/checks/index.ts';
import { SEQUENCES } from '../src/suite/sequences/index.ts';

const profiles = [...getCatalog().profiles.values()];
/** Every requirement of every profile, with the profile that resolved it. */
const requirements = profiles.flatMap((p) =>
  [...p.requirements.values()].map((r) => ({ ...r, profile: p.name })),
);
const sourceDirsOf = new Map(profiles.map((p) => [p.name, p.sourceDirs]));

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const ATLAS_SOURCES = packagePath('specs', 'profiles', 'atlas', 'sources');

/** [id, document, quote, where] for every source that is a vendor's page (RFCs are not kept here). */
function quotesOfSeeds(
  list: readonly { id: string; sources: readonly Source[]; profile?: string }[],
): (readonly [string, string, string, readonly string[]])[] {
  const seen = new Set<string>();
  return list.flatMap((r) =>
    r.sources
      .filter((source) => !source.document.startsWith('RFC'))
      .filter((source) => {
        const key = JSON.stringify([r.id, source.document, source.quote]);
        return !seen.has(key) && Boolean(seen.add(key));
      })
      .map(
        (source) =>
          [
            r.id,
            source.document,
            source.quote,
            r.profile ? (sourceDirsOf.get(r.profile) ?? []) : [ATLAS_SOURCES],
          ] as const,
      ),
  );
}

function expectQuoted(_id: string, document: string, quote: string, dirs: readonly string[]) {
  const dir = dirs.find((candidate) => existsSync(`${candidate}/${document}`));
  expect(dir, `${document} is in none of ${dirs.join(', ')}`).toBeDefined();
  const text = normalise(readFileSync(`${dir}/${document}`, 'utf8'));
  expect(text).toContain(normalise(quote));
}

describe('specs/', () => {
  test('loads and cross-checks (schemas, ids, baselines)', () => {
    expect(() => loadCatalog()).not.toThrow();
    expect(requirements.length).toBeGreaterThan(30);
  });

  test.each(requirements.map((r) => [`${r.profile} ${r.id}`, r] as const))(
    '%s names a registered check',
    (_id, requirement) => {
      expect(Object.keys(CHECKS)).toContain(requirement.check.name);
    },
  );

  test.each(quotesOfSeeds(requirements))('%s quotes %s verbatim', expectQuoted);

  test('every case file has its suite, and every sequence its code', () => {
    const cases = profiles.flatMap((p) => p.cases);
    for (const area of new Set(cases.map((c) => c.area))) {
      expect(existsSync(packagePath('suites', `${area}.test.ts`)), area).toBe(true);
    }
    for (const c of cases.filter((candidate) => candidate.sequence)) {
      expect(Object.keys(SEQUENCES), c.id).toContain(c.sequence);
    }
  });

  test('RFC sources name a section', () => {
    const missing = requirements.flatMap((r) =>
      r.sources.filter((s) => s.document.startsWith('RFC') && !s.section).map(() => r.id),
    );
    expect(missing).toEqual([]);
  });

  test.each(profiles.map((p) => [p.name, p] as const))(
    'every requirement of %s is judged by some case',
    (_name, p) => {
      const used = new Set(p.cases.flatMap((c) => c.requirements));
      expect([...p.requirements.keys()].filter((id) => !used.has(id))).toEqual([]);
      expect(p.requirements.size).toBeGreaterThan(5);
    },
  );

  test('the core (the rfc6749 profile) is vendor-neutral: RFC sources only', () => {
    const rfc = getCatalog().profiles.get('rfc6749');
    expect(rfc?.profile.extends).toBeUndefined();
    const vendorSourced = [...(rfc?.requirements.values() ?? [])].filter((r) =>
      r.sources.some((s) => !s.document.startsWith('RFC')),
    );
    expect(vendorSourced.map((r) => r.id)).toEqual([]);
  });

  // Under a profile held to the RFCs alone, a requirement is judged at the level its RFC sentence
  // gives: each needs a source whose quote carries that level (MUST fails, SHOULD warns), or a note
  // that says why not (a definition without a keyword; a MUST held as a should).
  test('a profile judged by the RFCs backs the level of every requirement with its RFC sentence', () => {
    const rfcProfiles = profiles
      .filter((p) => p.profile.requirementLevels === 'rfc')
      .map((p) => p.name);
    expect(rfcProfiles).toEqual(['rfc6749']);
    const judged = requirements.filter((r) => rfcProfiles.includes(r.profile));
    const missing = judged.filter(
      (r) => (r.level === 'documented' || r.level === 'observed') && !r.rfcLevel,
    );
    expect(missing.map((r) => r.id)).toEqual([]);
    const unbacked = judged.filter((r) => {
      const level = r.rfcLevel ?? r.level;
      const keyword =
        level === 'rfc-must'
          ? /\b(MUST|REQUIRED|SHALL)\b|\bwith a 200 \(OK\)|responds with HTTP status code 200/
          : /\b(SHOULD|RECOMMENDED)\b/;
      const quoted = r.sources.some((s) => s.document.startsWith('RFC') && keyword.test(s.quote));
      const explained =
        r.note?.includes('Definitional:') ||
        (level === 'rfc-should' && /held as a should/.test(r.note ?? ''));
      return !quoted && !explained;
    });
    expect(unbacked.map((r) => r.id)).toEqual([]);
  });

  // A copy of specs/ with one profile folder broken in one way: each is refused with one line.
  function brokenSpecs(files: Record<string, unknown>): string {
    const dir = mkdtempSync(`${tmpdir()}/broken-specs-`);
    const copy = (from: string, to: string) => {
      mkdirSync(to.replace(/\/[^/]+$/, ''), { recursive: true });
      writeFileSync(to, readFileSync(from));
    };
    copy(`${SPECS_DIR}/core/requirements.json`, `${dir}/core/requirements.json`);
    for (const area of ['token', 'revoke', 'fuzz'])
      copy(`${SPECS_DIR}/core/cases/${area}.json`, `${dir}/core/cases/${area}.json`);
    mkdirSync(`${dir}/profiles`);
    for (const [path, data] of Object.entries(files)) {
      mkdirSync(`${dir}/${path}`.replace(/\/[^/]+$/, ''), { recursive: true });
      writeFileSync(`${dir}/${path}`, JSON.stringify(data));
    }
    return dir;
  }
  const base = { description: 'a vendor' };
  /** A profile folder `mine` outside the package whose profile.json is `text`; its path. */
  function outsideProfile(text: string): string {
    const outside = mkdtempSync(`${tmpdir()}/outside-profile-`);
    mkdirSync(`${outside}/mine`);
    writeFileSync(`${outside}/mine/profile.json`, text);
    return `${outside}/mine`;
  }

  test.each([
    [
      'an unknown requirement in a case',
      {
        'profiles/v/profile.json': { ...base, extends: 'w' },
        'profiles/w/profile.json': JSON.parse(
          readFileSync(`${SPECS_DIR}/profiles/rfc6749/profile.json`, 'utf8'),
        ),
        'profiles/v/cases/token.json': {
          cases: [
            {
              id: 'extra',
              title: 'one more case',
              endpoint: 'token',
              trigger: 'request',
              request: {},
              requirements: ['token.no-such'],
            },
          ],
        },
      },
      /^profile v: case extra names unknown requirement token\.no-such$/,
    ],
    [
      'an unknown extends',
      { 'profiles/v/profile.json': { ...base, extends: 'nowhere' } },
      /^profile v extends unknown profile nowhere \(known: v\)$/,
    ],
    [
      'a cycle',
      {
        'profiles/v/profile.json': { ...base, extends: 'w' },
        'profiles/w/profile.json': { ...base, extends: 'v' },
      },
      /^profile v: extends forms a cycle \(v -> w -> v\)$/,
    ],
    [
      'a duplicate requirement id',
      {
        'profiles/v/profile.json': JSON.parse(
          readFileSync(`${SPECS_DIR}/profiles/rfc6749/profile.json`, 'utf8'),
        ),
        'profiles/v/requirements.json': {
          requirements: [
            JSON.parse(readFileSync(`${SPECS_DIR}/core/requirements.json`, 'utf8')).requirements[0],
          ],
        },
      },
      /^profile v: duplicate requirement id token\.200\.status$/,
    ],
    [
      'an exclude of what is not inherited',
      {
        'profiles/v/profile.json': JSON.parse(
          readFileSync(`${SPECS_DIR}/profiles/rfc6749/profile.json`, 'utf8'),
        ),
        'profiles/v/requirements.json': { exclude: ['token.200.nothing'] },
      },
      /^profile v excludes token\.200\.nothing, which it does not inherit$/,
    ],
    [
      'a profile without the settings none of its ancestors gives',
      { 'profiles/v/profile.json': base },
      /^profile v \(with what it inherits\): \(root\) must have required property 'paths'/,
    ],
  ] as const)('a broken catalog is refused: %s', (_what, files, message) => {
    expect(() => loadCatalog({ specsDir: brokenSpecs(files) })).toThrow(message);
  });

  // A built run reads the package's own files unchecked (npm run build checked them:
  // scripts/check-specs.js); a profile folder from outside is always checked.
  test('check: all refuses a built-in file that breaks its schema; outside reads it', () => {
    const specsDir = brokenSpecs({ 'profiles/v/profile.json': { ...base, paths: 'nowhere' } });
    expect(() => loadCatalog({ specsDir, check: 'all' })).toThrow(
      /profiles\/v\/profile\.json does not match urn:oauth-conformance:schemas:profile/,
    );
    expect(() => loadCatalog({ specsDir, check: 'outside' })).not.toThrow(/does not match/);
  });

  // Found by a break-it session: `--profile: Unexpected end of JSON input`, naming no file.
  test.each([
    ['cut short', '{"description": "a vendor", "paths": {', /line 1, column 39: /],
    ['a byte order mark', '\uFEFF{"description": "a vendor"}', /a byte order mark at its start/],
  ])('a profile.json that is not JSON names its file and where (%s)', (_what, text, where) => {
    expect(() => loadCatalog({ specsDir: brokenSpecs({}), extra: [outsideProfile(text)] })).toThrow(
      new RegExp(`mine/profile\\.json is not JSON \\(${where.source}`),
    );
  });

  test('check: outside still refuses a profile folder from outside the package', () => {
    const specsDir = brokenSpecs({});
    const mine = outsideProfile(JSON.stringify({ ...base, paths: 'nowhere' }));
    expect(() => loadCatalog({ specsDir, extra: [mine], check: 'outside' })).toThrow(
      /mine\/profile\.json does not match urn:oauth-conformance:schemas:profile: \/paths must be object$/,
    );
  });
});

describe('specs/profiles/atlas/openapi.json', () => {
  const openapi = JSON.parse(
    readFileSync(packagePath('specs', 'profiles', 'atlas', 'openapi.json'), 'utf8'),
  ) as Record<string, unknown>;

  function refs(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(refs);
    if (value && typeof value === 'object') {
      return Object.entries(value).flatMap(([key, inner]) =>
        key === '$ref' && typeof inner === 'string' ? [inner] : refs(inner),
      );
    }
    return [];
  }

  test('is OpenAPI 3.1 and describes every documented status of the token and revoke endpoints', () => {
    expect(openapi.openapi).toMatch(/^3\.1\./);
    const token = (
      openapi.paths as Record<string, { post: { responses: Record<string, unknown> } }>
    )['/api/oauth/token'];
    expect(Object.keys(token?.post.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '429',
      '500',
      '503',
    ]);
    const revoke = (
      openapi.paths as Record<
        string,
        { post: { responses: Record<string, { content?: unknown }> } }
      >
    )['/api/oauth/revoke'];
    expect(Object.keys(revoke?.post.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '429',
      '500',
      '503',
    ]);
    // A revocation's 200 has no body (seed 002).
    expect(revoke?.post.responses['200']?.content).toBeUndefined();
  });

  test('every $ref resolves to a schema of the registry or a component', () => {
    for (const ref of refs(openapi)) {
      if (ref.startsWith('#/')) continue;
      const [file, pointer] = ref.split('#');
      const schema = JSON.parse(
        readFileSync(packagePath('specs', 'profiles', 'atlas', file ?? ''), 'utf8'),
      ) as Record<string, unknown>;
      const target = (pointer ?? '')
        .split('/')
        .filter(Boolean)
        .reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], schema);
      expect(target, ref).toBeDefined();
    }
  });

  test('every requirement id it names exists', () => {
    const named = JSON.stringify(openapi).match(/"x-requirements":\[[^\]]*\]/g) ?? [];
    const ids = named.flatMap((list) =>
      [...list.matchAll(/"((?:token|revoke)\.[^"]+)"/g)].map((m) => m[1] ?? ''),
    );
    expect(ids.length).toBeGreaterThan(10);
    const atlas = getCatalog().profiles.get('atlas');
    for (const id of ids) expect(atlas?.requirements.has(id), id).toBe(true);
  });
});

describe('specs/client-*.json (the client harness)', () => {
  const clientCatalog = loadClientCatalog(Object.keys(JUDGEMENTS));

  test.each(quotesOfSeeds(clientCatalog.requirements))('%s quotes %s verbatim', expectQuoted);

  test('RFC sources name a section; every judgement is used; every scenario judges something', () => {
    const missing = clientCatalog.requirements.filter((r) =>
      r.sources.some((s) => s.document.startsWith('RFC') && !s.section),
    );
    expect(missing.map((r) => r.id)).toEqual([]);
    const used = new Set(clientCatalog.requirements.map((r) => r.judge));
    expect(Object.keys(JUDGEMENTS).filter((name) => !used.has(name))).toEqual([]);
    const specific = new Set(
      clientCatalog.requirements.flatMap((r) => r.scenarios.filter((name) => name !== '*')),
    );
    const idle = clientCatalog.scenarios.filter((scenario) => !specific.has(scenario.name));
    expect(idle.map((scenario) => scenario.name)).toEqual([]);
  });

  test('a judge or scenario name that does not exist is refused', () => {
    expect(() => loadClientCatalog(['judgeBasicAuth'])).toThrow(/names unknown judge/);
  });

  test.each([1, 2, 3, 42, 1234])(
    'seed %i draws a short and a long Retry-After in each form, within the ranges',
    (seed) => {
      const scripted = scriptScenarios(clientCatalog, seed);
      expect(scriptScenarios(clientCatalog, seed)).toEqual(scripted);
      const drawn = scripted.flatMap((s) =>
        s.retryAfter ? [{ name: s.name, ...s.retryAfter }] : [],
      );
      for (const format of ['delta-seconds', 'http-date'] as const) {
        const lengths = drawn.filter((d) => d.format === format).map((d) => d.length);
        expect(lengths.sort(), format).toEqual(['long', 'short']);
      }
      for (const d of drawn) {
        const range = clientCatalog.retryAfterSeconds[d.length];
        expect(d.seconds).toBeGreaterThanOrEqual(range.min);
        expect(d.seconds).toBeLessThanOrEqual(range.max);
        const faults = scripted.find((s) => s.name === d.name)?.faults ?? [];
        expect(faults).toEqual([
          expect.objectContaining({ retryAfterSeconds: d.seconds, retryAfterFormat: d.format }),
        ]);
      }
      // a program that waits at most 2 s meets a longer wait in each form
      expect(clientCatalog.retryAfterSeconds.long.min).toBeGreaterThan(2);
    },
  );

  test('the draws differ between seeds', () => {
    const draws = new Set(
      [1, 2, 3, 4, 5, 6, 7, 8].map((seed) =>
        JSON.stringify(scriptScenarios(clientCatalog, seed).map((s) => s.retryAfter)),
      ),
    );
    expect(draws.size).toBeGreaterThan(1);
  });
});
