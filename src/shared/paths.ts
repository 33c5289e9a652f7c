import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root: specs/, schemas/ and suites/ are found from here wherever the CLI is run. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function packagePath(...parts: string[]): string {
  return [PACKAGE_ROOT.replace(/\/$/, ''), ...parts].join('/');
}

/** This tool's version, from package.json. */
export const TOOL_VERSION = (
  JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }
).version;
