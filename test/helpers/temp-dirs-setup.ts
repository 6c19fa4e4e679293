import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The TypeScript worker hooks' transpile cache (src/output/ts-worker-hooks.mjs): kept between runs on purpose. */
const KEPT = 'fhirseed-ts-worker-cache';

/**
 * vitest globalSetup: the run's temporary files go to a folder of its own, `$TMPDIR/fhirseed-vitest-XXXXXX`, set as
 * TMPDIR before the test workers start (they, and the processes they start, inherit it; os.tmpdir() reads it), so
 * that what is left there at the end was left by this run's tests, not by another process on the machine. The
 * teardown removes the folder and fails the run naming each entry left in it (a passing test must clean up after
 * itself: afterAll, onTestFinished, or the tempDir helpers' cleanup), the worker hooks' cache excepted, which stays in
 * the real temporary directory (linked in). FHIRSEED_TEST_KEEP_TMP=1 keeps the folder, to look at what was left.
 * $FHIRSEED_TEST_TMP names the folder while the run lasts.
 */
export default function isolateTemporaryFiles(): () => void {
  // Each vitest project runs the global setups: the first one's folder serves the whole run.
  if (process.env.FHIRSEED_TEST_TMP) return () => undefined;
  const outer = tmpdir();
  const previous = process.env.TMPDIR;
  const folder = mkdtempSync(join(outer, 'fhirseed-vitest-'));
  mkdirSync(join(outer, KEPT), { recursive: true });
  symlinkSync(join(outer, KEPT), join(folder, KEPT));
  process.env.TMPDIR = folder;
  process.env.FHIRSEED_TEST_TMP = folder;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env.FHIRSEED_TEST_TMP;
    const left = readdirSync(folder).filter((name) => name !== KEPT);
    if (process.env.FHIRSEED_TEST_KEEP_TMP !== '1') rmSync(folder, { recursive: true, force: true });
    if (left.length && filteredByName()) {
      // A describe block skipped by -t never runs its afterAll: what it made while collected stays, so only say so.
      process.stderr.write(`note: the tests left ${left.sort().join(', ')} in ${folder} (removed; a -t run skips afterAll hooks)\n`);
    } else if (left.length) {
      // vitest reports a teardown's error ("error during close") without failing the run by itself.
      process.exitCode = 1;
      throw new Error(
        `the tests left ${left.length} temporary ${left.length === 1 ? 'entry' : 'entries'} in ${folder} (made during this run, still there at its end; ` +
          `a test that passes must remove what it makes): ${left.sort().join(', ')}`,
      );
    }
  };
}

/** True when this vitest run selects tests by name (`-t`, `--testNamePattern`), so skipped blocks' hooks do not run. */
function filteredByName(): boolean {
  return process.argv.some((a) => a === '-t' || a.startsWith('-t=') || a.startsWith('--testNamePattern') || a.startsWith('--test-name-pattern'));
}
