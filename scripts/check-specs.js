// Part of `npm run build`: checks every built-in schema against its meta-schema and every
// built-in file of specs/ against its schema, with the code just built, so that a run from dist/
// can skip both (src/contract/catalog.ts, LoadOptions.check; src/contract/schemas.ts).
// Exits 1 with the violations on a bad file.
import { loadCatalog } from '../dist/src/contract/catalog.js';
import { checkBuiltInSchemas } from '../dist/src/contract/schemas.js';

try {
  const schemas = checkBuiltInSchemas();
  const { profiles } = loadCatalog({ check: 'all' });
  process.stdout.write(
    `checked ${schemas} schemas, and specs/: core and ${profiles.size} profiles\n`,
  );
} catch (error) {
  process.stderr.write(`specs/: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
