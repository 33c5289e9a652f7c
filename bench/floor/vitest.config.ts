import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['bench/floor/empty.test.ts'], pool: 'threads', maxWorkers: 1 },
});
