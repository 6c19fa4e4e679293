import { defineConfig } from 'vitest/config';

/** The hang guards' own check (test/helpers/hang-watchdog.test.ts): these files, with the guards as the suite has them. */
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['*.hang.ts'],
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['../run-limit-setup.ts'],
    setupFiles: ['../hang-watchdog.ts'],
  },
});
