// The build and the command's entry point when dist/ is missing, incomplete or already built
// (found by a break-it session: two `npm start` at once in one clone, the second's build deleting
// the dist/ the first was importing, ended in a stack trace, exit 1 or 70, and no reports).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { packagePath } from '../src/shared/paths.ts';
import { collectOutput, tempDir } from './support/cli.ts';

function node(args: string[], cwd: string) {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  return collectOutput(child, 120_000);
}

describe('bin/oauth-conformance.js without a whole dist/', () => {
  test('no dist/ at all: one line, exit 4 (this machine, not the target)', async () => {
    const dir = tempDir('bin-no-dist');
    mkdirSync(join(dir, 'bin'));
    cpSync(packagePath('bin', 'oauth-conformance.js'), join(dir, 'bin', 'oauth-conformance.js'));
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    const result = await node(['bin/oauth-conformance.js', 'run'], dir);
    expect(result.code).toBe(4);
    expect(result.stderr.trim().split('\n')).toEqual([
      'oauth-conformance: dist/ is missing or incomplete (being rebuilt?): run `npm run build` in this clone (an installed package has it)',
    ]);
  });

  test('a dist/ missing one of its modules (a build under way): the same line, exit 4', async () => {
    const dir = tempDir('bin-half-dist');
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'dist', 'src', 'cli'), { recursive: true });
    cpSync(packagePath('bin', 'oauth-conformance.js'), join(dir, 'bin', 'oauth-conformance.js'));
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    writeFileSync(
      join(dir, 'dist', 'src', 'cli', 'cli.js'),
      "import '../shared/paths.js';\nexport const main = () => 0;\n",
    );
    const result = await node(['bin/oauth-conformance.js', 'run'], dir);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^oauth-conformance: dist\/ is missing or incomplete/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('npm run build (scripts/build.js)', () => {
  test('leaves a dist/ built from the same sources alone, and rebuilds when one changes', async () => {
    const dir = tempDir('build');
    for (const entry of [
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'scripts',
      'src',
      'suites',
      'specs',
      'schemas',
    ])
      cpSync(packagePath(entry), join(dir, entry), { recursive: true });
    symlinkSync(packagePath('node_modules'), join(dir, 'node_modules'));
    const first = await node(['scripts/build.js'], dir);
    expect(first.code, first.stderr).toBe(0);
    const cli = join(dir, 'dist', 'src', 'cli', 'cli.js');
    const builtAt = statSync(cli).mtimeMs;

    const again = await node(['scripts/build.js'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('dist/ is up to date with the sources');
    expect(statSync(cli).mtimeMs).toBe(builtAt);

    const source = join(dir, 'src', 'cli', 'args.ts');
    writeFileSync(source, `${readFileSync(source, 'utf8')}\n// changed\n`);
    const changed = await node(['scripts/build.js'], dir);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).not.toContain('up to date');
    expect(statSync(cli).mtimeMs).toBeGreaterThan(builtAt);
  }, 180_000);
});
