import { defineConfig } from 'vitest/config';

// The self-tests. The conformance suites in suites/ are not run from here: the CLI runs them
// against a target (see src/cli/run.ts), and test/ runs the CLI.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
