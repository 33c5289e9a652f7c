// The package's entry for other projects' tests: the TypeScript sources, loaded through tsx (the
// package has no build step). ESM: vitest, mocha, node:test, and jest in its ESM mode.
import { register } from 'tsx/esm/api';

register();
const api = await import('../src/api.ts');

export const { startReferenceMock, startMock, generateAccounts, DEFAULT_REFERENCE_IMAGE } = api;
