// `npm run build`: dist/ from the sources (the TypeScript compiler, tsconfig.build.json), then the
// check of the built-in specs and schemas (scripts/check-specs.js). `npm start` and `npm test` run
// it first. A dist/ already built from these very sources (a digest of every input file's path
// and content, kept in dist/.build-digest) is left alone: rebuilding deletes dist/ first, and a
// run started a moment earlier from another terminal imports from it. `--force` rebuilds anyway.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const INPUTS = ['src', 'suites', 'specs', 'schemas', 'tsconfig.json', 'tsconfig.build.json'];
const OUTPUTS = ['dist/src', 'dist/suites', 'dist/specs'];
const DIGEST = join(root, 'dist', '.build-digest');

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

function digest() {
  const hash = createHash('sha256');
  for (const input of INPUTS)
    for (const file of files(join(root, input))) {
      hash.update(`${relative(root, file)}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  return hash.digest('hex');
}

const force = process.argv.includes('--force');
const wanted = digest();
const built =
  existsSync(DIGEST) &&
  OUTPUTS.every((dir) => existsSync(join(root, dir))) &&
  readFileSync(DIGEST, 'utf8').trim() === wanted;
if (built && !force) {
  process.stdout.write(
    'dist/ is up to date with the sources (npm run build -- --force rebuilds it)\n',
  );
  process.exit(0);
}

rmSync(DIGEST, { force: true });
for (const dir of OUTPUTS) rmSync(join(root, dir), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const steps = [[tsc, '-p', 'tsconfig.build.json'], [join(root, 'scripts', 'check-specs.js')]];
for (const args of steps) {
  const { status } = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
writeFileSync(DIGEST, `${wanted}\n`);
