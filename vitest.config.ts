import { defineConfig } from 'vitest/config';

/**
 * Test files that need a module graph of their own: they mock modules (`vi.mock`, `vi.doMock`, `vi.resetModules`),
 * spy on or stub globals, set `process.env` or process listeners, set V8 flags, or measure the heap; and the browser
 * and bench files. Every other file shares its worker's module graph with the files before it (`isolate: false`):
 * loading the sources, medplum's definitions and the code maps again in each of ~270 forks was a third of the suite's
 * CPU time on the 2-core CI machine (the 53 story/FHIR/US Core/code-maps files: 100 s in their own forks, 44 s shared; the whole suite 15 min 17 s
 * before on the idle machine, 9 min 46 s after beside two other jobs).
 */
const ISOLATED = [
  'test/cli/choices.test.ts',
  'test/cli/deploy-commands.test.ts',
  'test/cli/heap.test.ts',
  'test/cli/options.test.ts',
  'test/codemaps/placeless-load.test.ts',
  'test/codemaps/edit-places.test.ts',
  'test/mutation-kill/definitions-rules.test.ts',
  'test/mutation-kill/output-target.test.ts',
  'test/mutation-kill/package-download-rules.test.ts',
  'test/mutation-kill/package-loading.test.ts',
  'test/mutation-kill/patient-login-rules.test.ts',
  'test/mutation-kill/search-prefilter.test.ts',
  'test/mutation-kill/store-raw-json.test.ts',
  'test/mutation-kill/store-search.test.ts',
  'test/mutation-kill/validate-base-thread.test.ts',
  'test/mutation-kill/validate-stream.test.ts',
  'test/mutation-kill/validate-worker-thread.test.ts',
  'test/mutation-kill/validate-workers.test.ts',
  'test/mutation-kill/validator-driver.test.ts',
  'test/output/atomic-output.test.ts',
  'test/output/attribution-memory.test.ts',
  'test/output/render-sink.test.ts',
  'test/output/worker-ahead.test.ts',
  'test/profile/prebuilt.test.ts',
  'test/seed/auth.test.ts',
  'test/seed/import-poll-listeners.test.ts',
  'test/serve/export-expiry.test.ts',
  'test/serve/registration.test.ts',
  'test/serve/start-definitions.test.ts',
  'test/serve/store-bulk-load.test.ts',
  'test/serve/store-dates.test.ts',
  'test/serve/store-decide.test.ts',
  'test/serve/store.test.ts',
  'test/validate/base-text-release.test.ts',
  'test/validate/jobs-memory.test.ts',
  'test/validate/lazy-definitions.test.ts',
  'test/validate/missing-packages.test.ts',
  'test/validate/package-download.test.ts',
  'test/validate/packages.test.ts',
  'test/validate/profile-memo.test.ts',
  'test/browser/**/*.test.ts',
  'test/bench/**/*.test.ts',
  'test/validate/pretenuring.test.ts',
  'test/serve/r4-definitions.test.ts',
  // They check what indexing R4 leaves in medplum's global schema, which an earlier file in the worker has indexed.
  'test/mutation-kill/router-rules.test.ts',
  'test/mutation-kill/router-types.test.ts',
  // They index made-up search parameters into medplum's global schema, which a later file's server would publish.
  'test/mutation-kill/store-date-rows.test.ts',
  'test/mutation-kill/store-decide-rules.test.ts',
  'test/serve/store-untermed.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Both cores of the 2-core CI machines (vitest's default leaves one idle): test files are independent (own temp
    // directories, servers on port 0), and the suite is CPU-bound, so more workers do not help.
    maxWorkers: 2,
    // Tests find the packages as fhirseed does ($FHIRSEED_PACKAGES, ~/.fhir/packages) or in ../shared/fhir-packages
    // (checked once, up front) and never reach for the FHIR package registry. The run's temporary files go to a folder
    // of its own, and what a test leaves there fails the run (temp-dirs-setup.ts).
    // A run that has not ended in 40 min names the files still running and ends (run-limit-setup.ts).
    globalSetup: ['test/helpers/packages-setup.ts', 'test/helpers/temp-dirs-setup.ts', 'test/helpers/run-limit-setup.ts'],
    // FC_SEED=N: every fast-check property from seed N (to replay a failure, or run the properties at chosen seeds).
    // A test that blocks its worker's thread for minutes is named, with its stack, and ended (hang-watchdog.ts).
    setupFiles: ['test/helpers/fast-check-seed.ts', 'test/helpers/v8-flags-reset.ts', 'test/helpers/hang-watchdog.ts'],
    env: { FHIRSEED_OFFLINE: '1' },
    projects: [
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
  },
});
