import { defineConfig } from 'vitest/config';

/** The watchdog's own check (test/helpers/hang-watchdog.test.ts): these files, with the watchdog as the suite has it. */
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['*.hang.ts'],
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['../hang-watchdog.ts'],
  },
});
