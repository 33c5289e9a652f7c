/**
 * Dependencies the package does not install: testcontainers (an optional peer dependency) is
 * needed only for a container target (`--container IMAGE`, `container` in a config, or
 * `startReferenceMock({ container: true })`), and brings a Docker client with native install
 * scripts that most users never need.
 */
import { ConformanceError } from '../shared/errors.ts';

type ContainerSupport = typeof import('./container.ts');

/** The message when testcontainers is not installed: what to install, in one line. */
export const TESTCONTAINERS_MISSING =
  'a container target needs the testcontainers package, which is not installed: npm install --save-dev testcontainers@^11 (or give --target URL)';

/**
 * Loads src/target/container.ts and with it testcontainers, on demand. Throws a DEPENDENCY_MISSING
 * ConformanceError (exit 4, one line) when testcontainers cannot be found; other failures as
 * they are.
 */
export async function loadContainerSupport(): Promise<ContainerSupport> {
  try {
    return await import('./container.ts');
  } catch (error) {
    if (isMissing(error, 'testcontainers'))
      throw new ConformanceError('DEPENDENCY_MISSING', TESTCONTAINERS_MISSING, { cause: error });
    throw error;
  }
}

/** Whether `error` is Node's "cannot find package NAME" (ESM or CommonJS). */
export function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    (message.includes(`'${name}'`) || message.includes(`"${name}"`))
  );
}
