import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBin } from './cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// A test that blocks its worker's thread is never timed out by vitest and hung the run until CI's limit (stop 34).
describe('the hang watchdog (test/helpers/hang-watchdog.ts)', () => {
  it('should name a blocked test, kill the child it waits for, show where a loop spins, and end a worker still blocked', async () => {
    const started = Date.now();
    const run = await runBin('node_modules/vitest/vitest.mjs', ['run', '--config', 'test/helpers/hang-fixture/vitest.config.ts', '--reporter', 'verbose'], ROOT, {
      env: { FHIRSEED_TEST_STALL_MS: '3000', FHIRSEED_TEST_STALL_END_MS: '3000', NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const output = run.stdout + run.stderr;
    expect(run.code, output).toBe(1);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(output).toMatch(/has not run for \d+ s, in child\.hang\.ts > waits for a child that never ends; its child processes: \d+ sleep 3600\n/);
    expect(output).toContain('killed them, so that a synchronous wait for them returns');
    expect(output).toMatch(/✓ child\.hang\.ts > waits for a child that never ends/);
    expect(output).toMatch(/has not run for \d+ s, in loop\.hang\.ts > never gives its thread back; its child processes: none\n/);
    expect(output).toMatch(/ at spinForever \(file:\/\/\S+\/test\/helpers\/hang-fixture\/loop\.hang\.ts:4:\d+\)/);
    expect(output).toContain('ending this worker process, so that the run reports it instead of hanging');
    expect(output).toContain('Worker exited unexpectedly');
  }, 60_000);
});
