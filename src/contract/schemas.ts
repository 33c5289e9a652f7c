/**
 * The one schema registry: every JSON Schema in schemas/ (the tool's own) and in the schemas/ of
 * specs/core and each built-in profile is loaded once, by its $id, and every validation in the
 * project (bodies, header sets, config, specs) goes through {@link validate}. A profile folder
 * outside the package adds its own with {@link addSchemas}.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

export type { ErrorObject };

import addFormatsModule from 'ajv-formats';
import { CODE_EXTENSION, packagePath } from '../shared/paths.ts';
import { clipped, quoted, visible } from '../shared/text.ts';

// ajv-formats is CommonJS: under NodeNext its default export types as the module namespace.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export const SCHEMA_DIR = packagePath('schemas');

/** The folders of built-in schemas: the tool's, the core's, each built-in profile's. */
function schemaDirs(): string[] {
  const profiles = packagePath('specs', 'profiles');
  return [
    SCHEMA_DIR,
    packagePath('specs', 'core', 'schemas'),
    ...readdirSync(profiles)
      .sort()
      .map((name) => `${profiles}/${name}/schemas`),
  ].filter((dir) => existsSync(dir));
}

function createRegistry(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    // The built-in schemas are checked against the meta-schema by `npm run build` and the
    // self-tests; compiling the meta-schema costs a built run about 0.2 s before its first request.
    // A profile folder's own schemas are always checked ({@link addSchemas}).
    validateSchema: CODE_EXTENSION === '.ts',
  });
  addFormats(ajv);
  // Annotations, not assertions: a header set as the vendor's page writes it (the reference mock
  // answers with it; the schema's own keywords judge a response).
  ajv.addKeyword({ keyword: 'x-documented-set', schemaType: 'array' });
  for (const dir of schemaDirs())
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith('.schema.json'))
      .sort()) {
      const schema = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as { $id?: string };
      if (!schema.$id) throw new Error(`${dir}/${file} has no $id`);
      ajv.addSchema(schema);
    }
  return ajv;
}

/**
 * Registers the schemas of a profile folder outside the package (each needs an `$id`); one whose
 * `$id` is already registered is refused (an Error), unless it is the same document.
 */
export function addSchemas(schemas: readonly object[]): void {
  const ajv = getRegistry();
  for (const schema of schemas) {
    const id = (schema as { $id?: unknown }).$id;
    if (typeof id !== 'string') throw new Error('a profile schema has no $id');
    const known = ajv.getSchema(id);
    if (known) {
      if (JSON.stringify(known.schema) === JSON.stringify(schema)) continue;
      throw new Error(`schema ${id} is already defined`);
    }
    ajv.addSchema(schema, undefined, undefined, true);
  }
}

/**
 * Checks every built-in schema against its meta-schema (JSON Schema 2020-12); an Error names the
 * first that fails. `npm run build` calls it (scripts/check-specs.js): a built run skips the check.
 */
export function checkBuiltInSchemas(): number {
  const ajv = getRegistry();
  let count = 0;
  for (const dir of schemaDirs())
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.schema.json'))) {
      const schema = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as object;
      if (!ajv.validateSchema(schema))
        throw new Error(`${dir}/${file}: ${ajv.errorsText(ajv.errors)}`);
      count++;
    }
  return count;
}

let registry: Ajv2020 | undefined;

function getRegistry(): Ajv2020 {
  registry ??= createRegistry();
  return registry;
}

/** Violations listed by name in {@link SchemaResult.errors}; the rest are counted. */
const MAX_LISTED_ERRORS = 8;

export interface SchemaResult {
  ok: boolean;
  /**
   * One line per violation: `<json pointer> <message>`, at most {@link MAX_LISTED_ERRORS} and a
   * count of the rest. Names from the validated data (member names, values) are shown visible
   * and bounded: the data may be a hostile target's body.
   */
  errors: string[];
  /** The raw violations, for callers that word their own messages. */
  details: ErrorObject[];
}

export function hasSchema(ref: string): boolean {
  return getRegistry().getSchema(ref) !== undefined;
}

/** Validates `data` against the schema `ref` (an $id, optionally with a #fragment). */
export function validate(ref: string, data: unknown): SchemaResult {
  const check = getRegistry().getSchema(ref);
  if (!check) throw new Error(`unknown schema ${ref}`);
  const ok = check(data) as boolean;
  return {
    ok,
    errors: ok ? [] : formatErrors(check.errors ?? []),
    details: ok ? [] : [...(check.errors ?? [])],
  };
}

function formatErrors(errors: ErrorObject[]): string[] {
  const lines = errors
    // `if` failures repeat what the branch already said; a property name's own failures are
    // said once, by its propertyNames error.
    .filter((error) => error.keyword !== 'if' && !('propertyName' in error))
    .map((error) => {
      const where = visible(clipped(error.instancePath, 120)) || '(root)';
      const params = error.params as Record<string, unknown>;
      if (error.keyword === 'propertyNames')
        return `${where}: the name ${quoted(String(params.propertyName), 60)} is not allowed here`;
      if (error.keyword === 'additionalProperties')
        return `${where}: unknown key ${quoted(String(params.additionalProperty), 60)}`;
      if (error.keyword === 'enum')
        return `${where} ${error.message}: ${JSON.stringify(params.allowedValues)}`;
      if (error.keyword === 'const')
        return `${where} must be ${JSON.stringify(params.allowedValue)}`;
      return `${where} ${error.message ?? error.keyword}`;
    });
  const unique = [...new Set(lines)];
  if (unique.length <= MAX_LISTED_ERRORS) return unique;
  return [
    ...unique.slice(0, MAX_LISTED_ERRORS),
    `and ${unique.length - MAX_LISTED_ERRORS} more violations`,
  ];
}
