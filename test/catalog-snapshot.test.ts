// The safety net of the restructuring (issue 20): the catalog each profile resolves to, as
// normalised JSON, must stay what test/fixtures/catalog-snapshot.json records. A deliberate
// change regenerates it (UPDATE_CATALOG_SNAPSHOT=1) and says why in its commit.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { type Case, profileCatalog } from '../src/contract/catalog.ts';
import { packagePath } from '../src/shared/paths.ts';
import type { ProfileName } from '../src/shared/types.ts';
import { SEQUENCES } from '../src/suite/sequences/index.ts';
import { levelFor } from '../src/suite/severity.ts';

const SNAPSHOT = packagePath('test', 'fixtures', 'catalog-snapshot.json');
const PROFILES: ProfileName[] = ['atlas', 'cloud-manager', 'rfc6749'];
/** A fixed run context to evaluate the requests a case costs: a limit of 10, --fuzz 7, the live active-token limit. */
const COST_CONTEXT = { limit: 10, fuzz: 7 };

function costOf(c: Case): { token: number; revoke: number } | null {
  if (!c.sequence) return null;
  const limit = { requests: COST_CONTEXT.limit, windowSeconds: 60 };
  const context = {
    fuzz: COST_CONTEXT.fuzz,
    rateLimit: limit,
    revokeRateLimit: limit,
    accounts: { primary: { clientId: 'mdb_sa_id_a', clientSecret: 'mdb_sa_sk_a' } },
    maxActiveTokens: null,
    maxActiveTokensByRole: {},
  };
  return SEQUENCES[c.sequence]?.cost(c, context) ?? null;
}

function resolved(profileName: ProfileName) {
  const catalog = profileCatalog(profileName);
  const { profile } = catalog;
  const requirements = [...catalog.requirements.values()].map((r) => ({
    id: r.id,
    endpoint: r.endpoint,
    level: levelFor(r, profile.requirementLevels),
    rfcLevel: r.rfcLevel ?? null,
    check: { name: r.check.name, with: r.check.with ?? null },
    sources: r.sources.map((s) => ({
      document: s.document,
      section: s.section ?? null,
      quote: s.quote,
    })),
    note: r.note ?? null,
    drift: r.drift ?? null,
    judgedOn: r.judgedOn ?? null,
  }));
  const ids = new Set(requirements.map((r) => r.id));
  const cases = catalog.cases
    .filter((c) => c.requirements.some((id) => ids.has(id)))
    .map((c) => ({
      id: c.id,
      area: c.area,
      title: c.title,
      endpoint: c.endpoint,
      trigger: c.trigger,
      request: c.request,
      fault: c.fault ?? null,
      sequence: c.sequence ?? null,
      cost: costOf(c),
      baseline: c.baseline ?? null,
      baselineStatus: c.baselineStatus ?? null,
      probe: c.probe ?? null,
      anyAccount: c.anyAccount ?? null,
      requirements: c.requirements.filter((id) => ids.has(id)),
    }));
  return {
    requirements: requirements.sort((a, b) => a.id.localeCompare(b.id)),
    cases: cases.sort((a, b) => a.id.localeCompare(b.id)),
  };
}

test('every profile resolves to the catalog the snapshot records', () => {
  const text = `${JSON.stringify(Object.fromEntries(PROFILES.map((p) => [p, resolved(p)])), null, 2)}\n`;
  if (process.env.UPDATE_CATALOG_SNAPSHOT === '1') writeFileSync(SNAPSHOT, text);
  expect(text).toBe(readFileSync(SNAPSHOT, 'utf8'));
});
