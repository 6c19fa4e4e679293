import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests name their packages (../shared/fhir-packages) and never reach for the FHIR package registry.
    env: { FHIRSEED_OFFLINE: '1' },
  },
});
