import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Both cores of the 2-core CI machines (vitest's default leaves one idle): test files are independent (own temp
    // directories, servers on port 0), and the suite ran serially in 14 min 57 s of its 15-minute budget.
    maxWorkers: 2,
    // Tests find the packages as fhirseed does ($FHIRSEED_PACKAGES, ~/.fhir/packages) or in ../shared/fhir-packages
    // (checked once, up front) and never reach for the FHIR package registry.
    globalSetup: ['test/helpers/packages-setup.ts'],
    env: { FHIRSEED_OFFLINE: '1' },
  },
});
