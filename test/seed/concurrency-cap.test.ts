import { describe, expect, it } from 'vitest';
import { purgeCommand } from '../../src/cli/commands/purge.js';
import { seedCommand } from '../../src/cli/commands/seed.js';
import { runCommand } from './helpers/cli.js';

// s13 trial U12: seed --concurrency 1000000 was taken as it is (a connection each).
describe('--concurrency past the maximum', () => {
  it.each([
    [seedCommand, ['seed', '/nonexistent-dir']],
    [purgeCommand, ['purge', '--run', 'default-1']],
  ])('should be one line, exit 2, before any request (%#)', async (command, args) => {
    const run = await runCommand(command, [...args, '--server', 'http://127.0.0.1:1/fhir', '--concurrency', '1000000']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('fhirseed: --concurrency 1000000: at most 256 requests in flight (each holds a connection of its own)\n');
    expect(run.stdout).toBe('');
  });

  it('should take 256', async () => {
    const run = await runCommand(purgeCommand, ['purge', '--run', 'default-1', '--server', 'http://127.0.0.1:1/fhir', '--concurrency', '256', '--timeout', '1', '--max-retries', '0']);
    expect(run.stderr).not.toContain('--concurrency');
  });
});
