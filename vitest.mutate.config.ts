import base from './vitest.config';

// For `npm run mutate` (stryker.config.mjs) when $MUTATE_TESTS names the test files to run against the mutants
// (comma-separated globs) instead of every test vitest finds related; $MUTATE_SKIP (a regular expression) leaves
// out tests by name, such as those that start the CLI in a child process (dist/ is not mutated).
// The base config's two projects (shared/isolated) each name their own files, which would override `include`: the
// mutation runs use one project of these files, each in a module graph of its own (vitest's default).
const test = base.test!;
delete test.projects;
test.include = (process.env.MUTATE_TESTS ?? 'test/**/*.test.ts').split(',');
// A mutation run lasts hours in one vitest session: the whole-run limit (40 min) would end it. Stryker times out a
// mutant's run itself.
test.globalSetup = ([test.globalSetup ?? []].flat() as string[]).filter((file) => !file.endsWith('run-limit-setup.ts'));
if (process.env.MUTATE_SKIP) test.testNamePattern = new RegExp(`^(?!.*(${process.env.MUTATE_SKIP}))`);
export default base;
