import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBin } from './cli.js';
import { tempDir } from './output.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** vitest on the fixtures of test/helpers/hang-fixture whose names hold `filter`, with the guards' limits in ms. */
async function runFixtures(filter: string[], env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number; files: Record<string, string> }> {
  // Its own temporary folder: a run ended at its limit leaves vitest's files there.
  const temp = tempDir('fhirseed-hang-fixture-');
  try {
    const started = Date.now();
    const run = await runBin('node_modules/vitest/vitest.mjs', ['run', '--config', 'test/helpers/hang-fixture/vitest.config.ts', '--reporter', 'verbose', ...filter], ROOT, {
      // This run's own limit is set in the environment it inherits: cleared, so that the fixtures' run sets its own.
      env: { ...env, TMPDIR: temp.dir, FHIRSEED_TEST_RUN_LIMIT_SET: '', NO_COLOR: '1', FORCE_COLOR: '0' },
      timeoutMs: 50_000,
    });
    const files = Object.fromEntries(readdirSync(temp.dir).filter((name) => name.endsWith('.pid')).map((name) => [name, readFileSync(join(temp.dir, name), 'utf8')]));
    return { code: run.code, output: run.stdout + run.stderr, ms: Date.now() - started, files };
  } finally {
    temp.cleanup();
  }
}

// A test file that never ends is never timed out by vitest, and hung the run until CI's limit (stop 34).
describe('the hang guards (test/helpers/hang-watchdog.ts, run-limit-setup.ts)', () => {
  it('should name a blocked test, kill the child it waits for, show where a loop spins, and end a worker still blocked', async () => {
    const run = await runFixtures(['child', 'loop'], { FHIRSEED_TEST_STALL_MS: '3000', FHIRSEED_TEST_STALL_END_MS: '3000' });
    expect(run.code, run.output).toBe(1);
    expect(run.ms).toBeLessThan(45_000);
    expect(run.output).toMatch(/has not run for \d+ s, in child\.hang\.ts > waits for a child that never ends; its child processes: \d+ sleep 3600\n/);
    expect(run.output).toContain('killed them, so that a synchronous wait for them returns');
    expect(run.output).toMatch(/✓ child\.hang\.ts > waits for a child that never ends/);
    expect(run.output).toMatch(/has not run for \d+ s, in loop\.hang\.ts > never gives its thread back; its child processes: none\n/);
    expect(run.output).toMatch(/ at spinForever \(file:\/\/\S+\/test\/helpers\/hang-fixture\/loop\.hang\.ts:4:\d+\)/);
    expect(run.output).toContain('ending this worker process, so that the run reports it instead of hanging');
    expect(run.output).toContain('Worker exited unexpectedly');
  }, 60_000);

  it('should end a run whose file never settles at the run limit, naming the file and the processes it kills', async () => {
    const run = await runFixtures(['collect'], { FHIRSEED_TEST_RUN_LIMIT_MS: '6000' });
    expect(run.code, run.output).toBe(1);
    expect(run.ms).toBeLessThan(45_000);
    expect(run.output).toMatch(/run-limit: the test run has taken 6 s \(FHIRSEED_TEST_RUN_LIMIT_MS\): ending it\. Files still running: collect\.hang\.ts \(being collected\)\. Its processes:\n +\d+ [A-Z] \S*node .*vitest\/dist\/workers\/forks\.js/);
  }, 60_000);

  it('should kill and name a process the tests left running when the run ends', async () => {
    const run = await runFixtures(['orphan'], {});
    expect(run.code, run.output).toBe(0);
    const pid = run.files['orphan.pid'];
    expect(pid).toMatch(/^\d+$/);
    expect(run.output).toContain(`note: killed 1 process(es) the tests left running: ${pid} sleep 3600\n`);
    const gone = !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
    expect(gone, `sleep ${pid} still runs`).toBe(true);
  }, 60_000);
});
