// The contract as data is itself checked: schemas of its own, known check names, quotes that
// really are in their sources, and every requirement exercised by some case.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { SEQUENCE_NEEDS } from '../src/applicability.ts';
import { CHECKS } from '../src/checks/index.ts';
import { JUDGEMENTS } from '../src/client-harness/judgements.ts';
import { loadClientCatalog, scriptScenarios } from '../src/client-harness/specs.ts';
import { packagePath } from '../src/paths.ts';
import { SEQUENCES } from '../src/sequences/index.ts';
import { getCatalog, loadCatalog, type Source } from '../src/specs.ts';

const catalog = getCatalog();
const requirements = [...catalog.requirements.values()];

/** Sequence cases are code (suites/*.test.ts); their requirement ids are read from the source. */
function requirementsNamedBySuites(): Set<string> {
  const ids = new Set<string>();
  for (const file of ['rate-limit.test.ts']) {
    const text = readFileSync(packagePath('suites', file), 'utf8');
    for (const match of text.matchAll(/'((?:token|revoke|probe)\.[\w.-]+)'/g))
      if (match[1]) ids.add(match[1]);
  }
  return ids;
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** [id, document, quote] for every source that is a seed page (RFCs are not kept here). */
function quotesOfSeeds(list: readonly { id: string; sources: readonly Source[] }[]) {
  return list.flatMap((r) =>
    r.sources
      .filter((source) => !source.document.startsWith('RFC'))
      .map((source) => [r.id, source.document, source.quote] as const),
  );
}

function expectQuoted(_id: string, document: string, quote: string): void {
  const text = normalise(readFileSync(packagePath('specs', 'sources', document), 'utf8'));
  expect(text).toContain(normalise(quote));
}

describe('specs/', () => {
  test('loads and cross-checks (schemas, ids, baselines)', () => {
    expect(() => loadCatalog()).not.toThrow();
    expect(requirements.length).toBeGreaterThan(30);
  });

  test.each(requirements.map((r) => [r.id, r] as const))(
    '%s names a registered check',
    (_id, requirement) => {
      expect(Object.keys(CHECKS)).toContain(requirement.check.name);
    },
  );

  test.each(quotesOfSeeds(requirements))('%s quotes %s verbatim', expectQuoted);

  test('every case file has its suite, and every sequence its code', () => {
    for (const area of new Set(catalog.cases.map((c) => c.area))) {
      expect(existsSync(packagePath('suites', `${area}.test.ts`)), area).toBe(true);
    }
    for (const c of catalog.cases.filter((candidate) => candidate.sequence)) {
      expect(Object.keys(SEQUENCES), c.id).toContain(c.sequence);
    }
    expect(Object.keys(SEQUENCE_NEEDS).sort()).toEqual(Object.keys(SEQUENCES).sort());
  });

  test('RFC sources name a section', () => {
    const missing = requirements.flatMap((r) =>
      r.sources.filter((s) => s.document.startsWith('RFC') && !s.section).map(() => r.id),
    );
    expect(missing).toEqual([]);
  });

  test('every requirement is judged by some case', () => {
    const used = new Set([
      ...catalog.cases.flatMap((c) => c.requirements),
      ...requirementsNamedBySuites(),
    ]);
    expect(requirements.map((r) => r.id).filter((id) => !used.has(id))).toEqual([]);
  });

  test('every profile has requirements, and rfc6749 only RFC-sourced ones', () => {
    for (const profile of ['atlas', 'cloud-manager', 'rfc6749'] as const) {
      expect(requirements.filter((r) => r.profiles.includes(profile)).length).toBeGreaterThan(5);
    }
    const vendorOnly = requirements.filter(
      (r) => r.profiles.includes('rfc6749') && !r.sources.some((s) => s.document.startsWith('RFC')),
    );
    expect(vendorOnly.map((r) => r.id)).toEqual([]);
  });

  // Under a profile held to the RFCs alone, a requirement is judged at the level its RFC sentence
  // gives: each needs a source whose quote carries that level (MUST fails, SHOULD warns), or a note
  // that says why not (a definition without a keyword; a MUST held as a should).
  test('a profile judged by the RFCs backs the level of every requirement with its RFC sentence', () => {
    const { profiles } = getCatalog();
    const rfcProfiles = Object.entries(profiles)
      .filter(([, profile]) => profile.requirementLevels === 'rfc')
      .map(([name]) => name);
    expect(rfcProfiles).toEqual(['rfc6749']);
    const judged = requirements.filter((r) => r.profiles.some((p) => rfcProfiles.includes(p)));
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

  test('a broken catalog is refused: unknown requirement in a case', () => {
    const dir = packagePath('test', 'fixtures', 'broken-specs');
    expect(() => loadCatalog(dir)).toThrow(/names unknown requirement token\.no-such-requirement/);
  });
});

describe('specs/openapi.json', () => {
  const openapi = JSON.parse(readFileSync(packagePath('specs', 'openapi.json'), 'utf8')) as Record<
    string,
    unknown
  >;

  function refs(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(refs);
    if (value && typeof value === 'object') {
      return Object.entries(value).flatMap(([key, inner]) =>
        key === '$ref' && typeof inner === 'string' ? [inner] : refs(inner),
      );
    }
    return [];
  }

  test('is OpenAPI 3.1 and describes every documented status of the token endpoint', () => {
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
  });

  test('every $ref resolves to a schema of the registry or a component', () => {
    for (const ref of refs(openapi)) {
      if (ref.startsWith('#/')) continue;
      const [file, pointer] = ref.split('#');
      const schema = JSON.parse(readFileSync(packagePath('specs', file ?? ''), 'utf8')) as Record<
        string,
        unknown
      >;
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
      [...list.matchAll(/"(token\.[^"]+)"/g)].map((m) => m[1] ?? ''),
    );
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(catalog.requirements.has(id), id).toBe(true);
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
