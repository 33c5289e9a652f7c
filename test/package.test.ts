// The package as users get it: `npm pack` (which builds dist/ through the prepare script),
// publint and Are the Types Wrong on the tarball, then an empty project that installs the tarball
// and uses it the documented ways: the CLI through npx, the entry from .mjs, from TypeScript
// (node16 and bundler resolution) and from CommonJS. Nothing here reads the clone's sources.
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packagePath } from '../src/shared/paths.ts';
import { readJunit, tempDir } from './support/cli.ts';

const run = promisify(execFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end; its exit status, never a throw for a non-zero one. */
async function sh(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: options.cwd,
      env: {
        ...process.env,
        MONGODB_ATLAS_CLIENT_ID: '',
        MONGODB_ATLAS_CLIENT_SECRET: '',
        NO_COLOR: '1',
        ...options.env,
      },
      timeout: options.timeoutMs ?? 240_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const NPM = 'npm';
const bin = (name: string) => packagePath('node_modules', '.bin', name);

let work: string;
let tarball: string;
let project: string;
let installLog: string;

/** What `npm pack` builds from and packs: the sources, the data, the configs; not dist/. */
const PACKED_FROM = [
  'package.json',
  'README.md',
  'tsconfig.json',
  'tsconfig.build.json',
  'bin',
  'lib',
  // The build's check of the built-in specs (scripts/check-specs.js).
  'scripts',
  'src',
  'suites',
  'specs',
  'schemas',
  'docs',
];

beforeAll(async () => {
  work = tempDir('package');
  // Packed from a copy: the pack's build replaces dist/, which other self-tests running at the
  // same time import (the package's entry, test/containers.test.ts).
  const source = join(work, 'source');
  for (const entry of PACKED_FROM)
    cpSync(packagePath(entry), join(source, entry), { recursive: true });
  symlinkSync(packagePath('node_modules'), join(source, 'node_modules'));
  const packed = await sh(NPM, ['pack', '--pack-destination', work, '--json'], { cwd: source });
  expect(packed.code, packed.stderr).toBe(0);
  // npm prints the prepare script's output before the JSON.
  const json = packed.stdout.slice(packed.stdout.indexOf('\n[') + 1);
  const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info?.filename ?? '');
  project = join(work, 'consumer');
  await sh('mkdir', ['-p', project], { cwd: work });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2),
  );
  // TypeScript and Node's types for the type checks; everything else is the package's own.
  const installed = await sh(
    NPM,
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
      `typescript@${devVersion('typescript')}`,
      `@types/node@${devVersion('@types/node')}`,
    ],
    { cwd: project },
  );
  installLog = installed.stdout + installed.stderr;
  expect(installed.code, installLog).toBe(0);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function devVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  return pkg.devDependencies[name] ?? 'latest';
}

describe('the packed tarball', () => {
  test('publint finds nothing to fix, suggestions included', async () => {
    const result = await sh(bin('publint'), ['run', tarball, '--strict', '--level', 'suggestion'], {
      cwd: work,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/All good!/);
  }, 240_000);

  test('Are the Types Wrong: the types resolve for ESM under node16 and bundler', async () => {
    // esm-only: the package is ESM, so the CommonJS resolutions are not judged (require is
    // tested below, in the installed project).
    const result = await sh(
      bin('attw'),
      [tarball, '--profile', 'esm-only', '--format', 'json', '--no-color'],
      { cwd: work },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const analysis = JSON.parse(result.stdout) as {
      analysis: {
        problems: { kind: string; resolutionKind?: string }[];
        entrypoints: Record<string, unknown>;
      };
    };
    // The JSON lists the CommonJS resolutions' problems too; the profile leaves them out.
    const judged = analysis.analysis.problems.filter(
      (problem) => !['node10', 'node16-cjs'].includes(problem.resolutionKind ?? ''),
    );
    expect(judged).toEqual([]);
    expect(Object.keys(analysis.analysis.entrypoints)).toContain('.');
  }, 240_000);

  test('holds the build, the data the CLI reads, and nothing of test/, bench/ or examples/', async () => {
    const list = await sh('tar', ['-tzf', tarball], { cwd: work });
    const files = list.stdout.split('\n').filter(Boolean);
    for (const needed of [
      'package/bin/oauth-conformance.js',
      'package/dist/src/cli/cli.js',
      'package/dist/src/api.js',
      'package/dist/src/api.d.ts',
      'package/dist/src/api.js.map',
      'package/dist/suites/token.test.js',
      // The mock's documented headers and errors, imported as JSON (src/mock/responses.ts).
      'package/dist/specs/profiles/atlas/schemas/headers-200.schema.json',
      'package/specs/core/requirements.json',
      'package/specs/profiles/atlas/sources/000_576e08fde29da5ee.txt',
      'package/schemas/config.schema.json',
      'package/lib/remove-containers.cjs',
      'package/docs/fault-hook.md',
      'package/README.md',
    ])
      expect(files).toContain(needed);
    expect(
      files.filter((f) => /^package\/(test|bench|examples|repro|src|suites)\//.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  }, 240_000);
});

describe('installed into an empty project', () => {
  test('the install brings no TypeScript loader, no test tool of ours, no container client', () => {
    const modules = join(project, 'node_modules');
    expect(existsSync(join(modules, 'oauth-conformance', 'dist', 'src', 'cli', 'cli.js'))).toBe(
      true,
    );
    for (const absent of ['tsx', 'testcontainers', 'publint', '@biomejs/biome'])
      expect(existsSync(join(modules, absent)), absent).toBe(false);
    // Nothing asks the user to approve an install script (npm 11's allowScripts warning).
    expect(installLog).not.toMatch(/install-scripts/);
  }, 240_000);

  test('npx oauth-conformance --version and --help', async () => {
    const version = await sh('npx', ['--no-install', 'oauth-conformance', '--version'], {
      cwd: project,
    });
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string })
        .version,
    );
    for (const command of ['run', 'mock', 'client']) {
      const help = await sh('npx', ['--no-install', 'oauth-conformance', command, '--help'], {
        cwd: project,
      });
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`usage: oauth-conformance ${command}`);
    }
  }, 240_000);

  test('npx oauth-conformance run passes against the embedded mock and writes its reports', async () => {
    const result = await sh(
      'npx',
      ['--no-install', 'oauth-conformance', 'run', '--reports', 'reports', '--seed', '5'],
      { cwd: project },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/passed \d+, failed 0/);
    const cases = readJunit(join(project, 'reports', 'junit.xml'));
    expect(cases.length).toBeGreaterThan(100);
    // The built suites are .test.js: each testsuite is still named by its area, never a path.
    const junit = readFileSync(join(project, 'reports', 'junit.xml'), 'utf8');
    const suites = [...junit.matchAll(/<testsuite\b[^>]*\bname="([^"]*)"/g)].map((m) => m[1]);
    expect(suites).toEqual(['token', 'revoke', 'fuzz', 'rate-limit', 'lifetime']);
    expect(junit).not.toContain(project);
    const areas = new Set(
      (
        JSON.parse(readFileSync(join(project, 'reports', 'result.json'), 'utf8')) as {
          testcases: { area: string }[];
        }
      ).testcases.map((c) => c.area),
    );
    expect([...areas].sort()).toEqual(['fuzz', 'lifetime', 'rate-limit', 'revoke', 'token']);
    expect(cases.filter((c) => c.state === 'failed' || c.state === 'errored')).toEqual([]);
    expect(existsSync(join(project, 'reports', 'result.json'))).toBe(true);
    expect(existsSync(join(project, 'reports', 'index.html'))).toBe(true);
    // Every document a report cites ships with the package.
    const sources = new Set(cases.map((c) => c.properties.source ?? ''));
    for (const source of sources) {
      const file = /\b(\d{3}_[0-9a-f]{16}\.txt|seeds-README\.md)\b/.exec(source)?.[1];
      if (file)
        expect(
          existsSync(
            join(
              project,
              'node_modules',
              'oauth-conformance',
              'specs',
              'profiles',
              'atlas',
              'sources',
              file,
            ),
          ),
          source,
        ).toBe(true);
    }
  }, 240_000);

  test('import { startReferenceMock } from a plain .mjs file (node:test)', async () => {
    copyFileSync(
      packagePath('test', 'fixtures', 'api', 'consumer.test.mjs'),
      join(project, 'consumer.test.mjs'),
    );
    const result = await sh(process.execPath, ['--test', 'consumer.test.mjs'], { cwd: project });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/kind=in-process url=http:\/\/127\.0\.0\.1:\d+/);
  }, 240_000);

  test.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'preserve', moduleResolution: 'bundler' }],
  ])(
    'TypeScript resolves the types [moduleResolution %s]',
    async (name, options) => {
      writeFileSync(
        join(project, 'consumer.mts'),
        [
          "import { startReferenceMock, type ReferenceMock } from 'oauth-conformance';",
          'const mock: ReferenceMock = await startReferenceMock({ seed: 3 });',
          'const id: string = mock.accounts.primary.clientId;',
          '// @ts-expect-error the seed is a number: fails only if the types are real',
          "await startReferenceMock({ seed: 'three' });",
          'await mock.stop();',
          'export { id };',
          '',
        ].join('\n'),
      );
      const config = join(project, `tsconfig.${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          compilerOptions: {
            ...options,
            target: 'ES2022',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ['node'],
          },
          files: ['consumer.mts'],
        }),
      );
      const result = await sh(
        process.execPath,
        [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config],
        { cwd: project },
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
    },
    240_000,
  );

  test("require('oauth-conformance') works, or fails saying the package is ESM", async () => {
    const result = await sh(
      process.execPath,
      ['-e', "const m = require('oauth-conformance'); console.log(typeof m.startReferenceMock);"],
      { cwd: project },
    );
    if (result.code === 0) expect(result.stdout.trim()).toBe('function');
    else expect(result.stderr).toMatch(/ES ?Module|ESM|ERR_REQUIRE_(ESM|ASYNC_MODULE)/);
  }, 240_000);

  test('a container target without testcontainers: one line naming the package, exit 4', async () => {
    const result = await sh(
      'npx',
      [
        '--no-install',
        'oauth-conformance',
        'run',
        '--target',
        'container:oauth-conformance/reference-mock:local:8080',
        '--reports',
        'reports-container',
      ],
      {
        cwd: project,
        env: {
          MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_000000000000000000000000',
          MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_canary-secret',
        },
      },
    );
    expect(result.code, result.stdout + result.stderr).toBe(4);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/testcontainers.*npm install --save-dev testcontainers/);
    const api = await sh(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { startReferenceMock } from 'oauth-conformance'; await startReferenceMock({ container: true }).catch((e) => { console.log(e.code + ': ' + e.message); });",
      ],
      { cwd: project },
    );
    expect(api.stdout).toMatch(/^DEPENDENCY_MISSING: .*testcontainers/);
  }, 240_000);
});
