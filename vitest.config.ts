import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/golden/**/*.test.ts'],
    // Hooks get the tests' allowance: an integration suite generates and ingests a bundle in beforeAll, which
    // took over Vitest's default 10 s on a CI host in a slow stretch.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
