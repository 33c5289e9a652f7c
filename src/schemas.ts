/**
 * The one schema registry: every JSON Schema in schemas/ is loaded once, by its $id, and every
 * validation in the project (bodies, header sets, config, specs) goes through {@link validate}.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

export type { ErrorObject };

import addFormatsModule from 'ajv-formats';
import { packagePath } from './paths.ts';

// ajv-formats is CommonJS: under NodeNext its default export types as the module namespace.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export const SCHEMA_DIR = packagePath('schemas');

function createRegistry(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  for (const file of readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith('.schema.json'))
    .sort()) {
    const schema = JSON.parse(readFileSync(`${SCHEMA_DIR}/${file}`, 'utf8')) as { $id?: string };
    if (!schema.$id) throw new Error(`schemas/${file} has no $id`);
    ajv.addSchema(schema);
  }
  return ajv;
}

let registry: Ajv2020 | undefined;

function getRegistry(): Ajv2020 {
  registry ??= createRegistry();
  return registry;
}

export interface SchemaResult {
  ok: boolean;
  /** One line per violation: `<json pointer> <message>`. */
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
    // `if` failures repeat what the branch already said.
    .filter((error) => error.keyword !== 'if')
    .map((error) => {
      const where = error.instancePath || '(root)';
      const params = error.params as Record<string, unknown>;
      if (error.keyword === 'additionalProperties')
        return `${where}: unknown key "${String(params.additionalProperty)}"`;
      if (error.keyword === 'enum')
        return `${where} ${error.message}: ${JSON.stringify(params.allowedValues)}`;
      if (error.keyword === 'const')
        return `${where} must be ${JSON.stringify(params.allowedValue)}`;
      return `${where} ${error.message ?? error.keyword}`;
    });
  return [...new Set(lines)];
}
