import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { it } from 'vitest';

it('leaves a child running', () => {
  const child = spawn('sleep', ['3600'], { stdio: 'ignore' });
  child.unref();
  writeFileSync(join(tmpdir(), 'orphan.pid'), String(child.pid));
});
