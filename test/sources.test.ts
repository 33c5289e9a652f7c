// Sources in reports are traceable by a person: every document a requirement cites is a file of
// a profile's sources/ (which ships in the package) with a title and a public address, or an RFC.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { documentReference, sourceLine } from '../src/contract/catalog.ts';
import { packagePath } from '../src/shared/paths.ts';

const PROFILES = packagePath('specs', 'profiles');
const profileNames = readdirSync(PROFILES).sort();

/** Each profile's sources/ folder and its documents.json, where it has one. */
const sourceFolders = profileNames
  .map((name) => join(PROFILES, name, 'sources'))
  .filter((dir) => existsSync(join(dir, 'documents.json')))
  .map((dir) => ({
    dir,
    documents: JSON.parse(readFileSync(join(dir, 'documents.json'), 'utf8')) as Record<
      string,
      { title: string; publisher: string; url: string | null }
    >,
  }));

/** Every `document` any requirement of specs/ cites (the core, each profile, the client catalog). */
function citedDocuments(): string[] {
  const files = [
    packagePath('specs', 'core', 'requirements.json'),
    packagePath('specs', 'client-requirements.json'),
    ...profileNames.map((name) => join(PROFILES, name, 'requirements.json')),
  ].filter((file) => existsSync(file));
  const cited = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/"document":\s*"([^"]+)"/g)) cited.add(match[1] ?? '');
  }
  return [...cited].sort();
}

describe('sources', () => {
  test("every cited document is an RFC or a file of a profile's sources/ listed in its documents.json", () => {
    const cited = citedDocuments();
    expect(cited.length).toBeGreaterThan(3);
    expect(sourceFolders.length).toBeGreaterThan(0);
    for (const document of cited) {
      if (/^RFC \d+$/.test(document)) continue;
      const home = sourceFolders.find((folder) => existsSync(join(folder.dir, document)));
      expect(home, document).toBeDefined();
      expect(Object.keys(home?.documents ?? {}), document).toContain(document);
    }
  });

  test('each source file has a title, a publisher, and an https address unless it is our own', () => {
    for (const { dir, documents } of sourceFolders) {
      const files = readdirSync(dir).filter((f) => /\.(txt|md)$/.test(f));
      for (const file of files.filter((f) => f !== 'README.md')) {
        const entry = documents[file];
        expect(entry, file).toBeDefined();
        expect(entry?.title.length, file).toBeGreaterThan(3);
        expect(entry?.publisher.length, file).toBeGreaterThan(3);
        if (file.endsWith('.txt'))
          expect(entry?.url, file).toMatch(/^https:\/\/www\.mongodb\.com\//);
      }
    }
  });

  test('a seed page shows its title and public URL beside the file name', () => {
    const line = sourceLine({
      sources: [{ document: '002_a4c57bcfc435b202.txt', section: '§Response', quote: 'q' }],
    } as never);
    expect(line).toBe(
      '002_a4c57bcfc435b202.txt §Response ("Revoke Service Account Token", MongoDB Atlas docs, https://www.mongodb.com/docs/atlas/api/service-accounts/revoke-oauth2-token/): "q"',
    );
  });

  test('an RFC links to the RFC Editor; an unknown document is left as it is', () => {
    expect(documentReference('RFC 7009')).toBe('https://www.rfc-editor.org/rfc/rfc7009');
    expect(documentReference('someone-elses.txt')).toBeUndefined();
    expect(documentReference('__proto__')).toBeUndefined();
  });
});
