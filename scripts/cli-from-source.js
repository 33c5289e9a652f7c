#!/usr/bin/env node
// The command line from the TypeScript sources (tsx), no build needed: what the self-tests run
// (test/support/cli.ts). Users run bin/oauth-conformance.js, the build.
//
// Every module loaded once the loader is registered pays a round trip to the loader's thread,
// and vitest's server alone is hundreds of modules: for `run`, the packages it needs are loaded
// first, natively (they are plain JavaScript), and the TypeScript sources then find them loaded.
if (process.argv[2] === 'run') {
  await Promise.all(
    [
      'vitest/node',
      'undici',
      'ajv/dist/2020.js',
      'ajv-formats',
      '@faker-js/faker/locale/en',
      '@faker-js/faker/locale/base',
    ].map((name) => import(name)),
  );
}
const { register } = await import('tsx/esm/api');

register();
const { main } = await import('../src/cli/cli.ts');
const code = await main(process.argv.slice(2));
// Exit now: a container engine's client keeps idle sockets open that would hold the process for
// seconds after the run is over (stdout and stderr are written synchronously to files and pipes).
process.exit(code);
