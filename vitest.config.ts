import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests find the packages as fhirseed does ($FHIRSEED_PACKAGES, ~/.fhir/packages) or in ../shared/fhir-packages
    // (checked once, up front) and never reach for the FHIR package registry.
    globalSetup: ['test/helpers/packages-setup.ts'],
    env: { FHIRSEED_OFFLINE: '1' },
  },
});
