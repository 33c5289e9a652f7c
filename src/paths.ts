import { fileURLToPath } from 'node:url';

/** The package root: specs/, schemas/ and suites/ are found from here wherever the CLI is run. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function packagePath(...parts: string[]): string {
  return [PACKAGE_ROOT.replace(/\/$/, ''), ...parts].join('/');
}
