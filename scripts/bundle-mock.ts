/**
 * Bundles the reference mock (src/cli/mock-main.ts) into one file, dist/reference-mock.mjs, that
 * needs node and nothing else: what the Dockerfile copies into the image.
 */
import { build } from 'esbuild';
import { packagePath } from '../src/shared/paths.ts';

const outfile = packagePath('dist', 'reference-mock.mjs');
const result = await build({
  entryPoints: [packagePath('src', 'cli', 'mock-main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: false,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
process.stdout.write(`bundled ${outfile} (${Math.round(bytes / 1024)} KiB)\n`);
