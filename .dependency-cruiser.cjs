// The layering of src/ (README, "How it is built"), checked by `npm test`:
// contract -> target -> suite -> report -> cli, each importing only the layers before it;
// mock and client-harness beside them; shared a leaf everyone may import; no cycles.
// Type-only imports count for the layers (tsPreCompilationDeps): a type is a dependency of the
// design; a cycle is refused when it runs through imports of values (a type cycle loads nothing).
const layer = (name, allowed) => ({
  name: `${name}-layer`,
  comment: `src/${name} imports only ${allowed.join(', ')} (and node_modules)`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${name}/`, ...allowed.map((other) => `^src/${other}/`)],
  },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle makes the layers meaningless (and module evaluation order fragile)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    layer('shared', []),
    layer('contract', ['shared']),
    layer('target', ['contract', 'shared']),
    layer('suite', ['contract', 'target', 'shared']),
    layer('report', ['contract', 'target', 'suite', 'shared']),
    layer('mock', ['shared']),
    layer('client-harness', ['contract', 'suite', 'report', 'mock', 'shared']),
    {
      name: 'cli-is-the-top',
      comment: 'only the command line and the package entry use src/cli',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/api\\.ts$'] },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
