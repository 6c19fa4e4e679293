// Mutation testing (issue 19): `npm run mutate` — see README, "Mutation testing".
// Run one module at a time while others use the machine: npm run mutate -- --mutate src/seed/purge.ts
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Stryker runs the tests in a copy under .stryker-tmp/, where ../shared/fhir-packages (test/helpers/packages.ts)
// no longer lies beside the checkout: point the tests at it unless the user already set FHIRSEED_PACKAGES.
const sibling = join(here, '..', 'shared', 'fhir-packages');
if (!process.env.FHIRSEED_PACKAGES && existsSync(sibling)) process.env.FHIRSEED_PACKAGES = sibling;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // MUTATE_TESTS=test/a.test.ts,test/b.test.ts: only those files (vitest.mutate.config.ts); otherwise the related tests.
  vitest: process.env.MUTATE_TESTS ? { configFile: 'vitest.mutate.config.ts', related: false } : { configFile: 'vitest.config.ts', related: true },
  // The safety-critical modules of issue 19: what protects data (output, purge, checkpoint, retries),
  // members (serve auth, compartment, search) and conformance (validator, adjudication, claims).
  mutate: [
    'src/story/adjudication.ts',
    'src/story/claims/**/*.ts',
    'src/output/**/*.ts',
    'src/validate/**/*.ts',
    'src/seed/purge.ts',
    'src/seed/purge-batch.ts',
    'src/seed/http.ts',
    'src/seed/checkpoint.ts',
    'src/serve/auth.ts',
    'src/serve/patient-auth.ts',
    'src/serve/patient-access.ts',
    'src/serve/compartment.ts',
    'src/serve/everything.ts',
    'src/serve/search-extras.ts',
    'src/serve/references-of.ts',
    'src/serve/router.ts',
    // The sandbox's SQLite store: its index keys, what they decide, its search and writes, the answer text.
    'src/serve/store/keys.ts',
    'src/serve/store/decide.ts',
    'src/serve/store/sqlite-repository.ts',
    'src/serve/store/raw-json.ts',
  ],
  // Anchored: an unanchored 'output' also dropped src/output/ and test/output/ from the sandbox.
  ignorePatterns: ['/dist', '/reports', '/output', '/.scratch-*', '/.fhirseed-tmp', '/bench'],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 1,
  // Added to the expected time of the covering tests (x1.5): a mutant that loops (a page that never ends) is cut off.
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 90, low: 80, break: null },
};
