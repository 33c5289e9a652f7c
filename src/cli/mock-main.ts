/**
 * The container image's entry point (Dockerfile): `oauth-conformance mock` on its own, bundled
 * into one file by scripts/bundle-mock.ts so that the image needs node and nothing else.
 */

import { ConformanceError, EXIT_CODES } from '../shared/errors.ts';
import { mockCommand } from './mock.ts';

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

try {
  process.exitCode = await mockCommand(process.argv.slice(2), io);
} catch (error) {
  io.err(`reference mock: ${(error as Error).message}`);
  process.exitCode = error instanceof ConformanceError ? EXIT_CODES[error.code] : 1;
}
