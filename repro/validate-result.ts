// Validates a result.json against schemas/result.schema.json. Usage: tsx repro/validate-result.ts FILE...
import { readFileSync } from 'node:fs';
import { validate } from '../src/contract/schemas.ts';

for (const file of process.argv.slice(2)) {
  const result = validate(
    'urn:oauth-conformance:schemas:result',
    JSON.parse(readFileSync(file, 'utf8')),
  );
  console.log(`${file}: ${result.ok ? 'valid' : result.errors.slice(0, 3).join('; ')}`);
}
