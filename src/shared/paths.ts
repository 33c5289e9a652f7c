import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(import.meta.url);

/**
 * The package root (the directory of package.json): specs/, schemas/ and the seed sources are
 * found from here wherever the CLI runs, from a clone (src/) or an installed package (dist/src/),
 * and wherever in src/ this module lives.
 */
export const PACKAGE_ROOT = findPackageRoot(dirname(HERE));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return `${dir}/`;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export function packagePath(...parts: string[]): string {
  return [PACKAGE_ROOT.replace(/\/$/, ''), ...parts].join('/');
}

/**
 * The root the code runs from: the clone itself (TypeScript through tsx or vitest) or dist/ (the
 * build, `npm run build`). Its src/ and suites/ are siblings either way.
 */
export const CODE_ROOT = HERE.slice(0, HERE.lastIndexOf('/src/'));

/** `.ts` when the sources run as they are, `.js` when the build runs. */
export const CODE_EXTENSION = HERE.endsWith('.ts') ? '.ts' : '.js';

/** The conformance suites the CLI hands to vitest: suites/ in a clone, dist/suites/ when built. */
export const SUITES_DIR = `${CODE_ROOT}/suites`;

/** This tool's version, from package.json. */
export const TOOL_VERSION = (
  JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }
).version;
