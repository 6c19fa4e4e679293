// `start --out FILE`: before, outputState listed the file as a directory (ENOTDIR, exit 70 with a trace).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'start-out-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('start --out naming a file is one line, exit 2, and the file is left as it was', async () => {
  const file = join(dir, 'notes.txt');
  writeFileSync(file, 'mine\n');
  let stderr = '';
  let stdout = '';
  const code = await runCli(['start', '--out', file, '--port', '0'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  expect({ code, stderr, stdout }).toEqual({ code: 2, stderr: `fhirseed: --out ${file}: is a file, not a directory\n`, stdout: '' });
  expect(readFileSync(file, 'utf8')).toBe('mine\n');
});
