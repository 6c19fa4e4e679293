// Ctrl-C during validate's second pass, on the built CLI: exit 130 in one line, no report half-printed.
// The child is known to be in the second pass from its open files (/proc/PID/fd, Linux): the first pass
// reads A then B, the second starts again at A, so A open after B is the second pass. 28 s at load average
// 15 (idle about a third of that): 40 members, so that the second pass lasts well past the signal.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const temp = tempDir('fhirseed-validate-interrupt-');
afterAll(() => temp.cleanup());
const ndjson = join(temp.dir, 'out', 'ndjson');

beforeAll(() => {
  generateTo(join(temp.dir, 'out'), { ...shippedProfile('default'), members: 40 }, { formats: ['ndjson'] });
}, 120_000);

/** The files the process has open now (none once it has exited). */
function openFiles(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

describe('validate interrupted', () => {
  it.runIf(existsSync('/proc/self/fd'))('should stop mid-validation on SIGINT with exit 130, one line, and no report on stdout', async () => {
    const [a, b] = [join(ndjson, 'ExplanationOfBenefit.ndjson'), join(ndjson, 'Observation.ndjson')];
    const child = spawn(process.execPath, ['dist/src/cli/bin.js', 'validate', a, b, '--packages', SHARED_PACKAGES, '--json', '--jobs', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    let ended = false;
    const exited = once(child, 'exit').then(([code]) => {
      ended = true;
      return code as number | null;
    });
    let seenB = false;
    for (;;) {
      if (ended) throw new Error(`validate ended before its second pass was seen: ${stderr}`);
      const open = openFiles(child.pid!);
      if (open.includes(b)) seenB = true;
      else if (seenB && open.includes(a)) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toBe('fhirseed: interrupted\n');
    expect(stdout).toBe('');
  }, 120_000);
});
