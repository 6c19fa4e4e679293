import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('waits for a child that never ends', () => {
  const run = spawnSync('sleep', ['3600']);
  expect(run.signal).toBe('SIGKILL');
});
