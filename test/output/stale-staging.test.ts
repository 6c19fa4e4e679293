import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempOutput } from '../../src/output/target.js';
import { mayStillOwn, processStartMs } from '../../src/util/running.js';
import { tempDir } from '../helpers/output.js';

const hasProc = existsSync('/proc/self/stat') && existsSync('/proc/stat');

/**
 * A pid-named staging folder (`.out.fhirseed-tmp-PID`) is a killed run's leftover when PID now names a process that is
 * not that run: one that is not node, or one that started after the folder last changed (a pid reused after a reboot
 * or a container restart), as the store lock tells its holder (src/util/running.ts).
 */
describe.skipIf(!hasProc)('stale staging folders: the pid alone does not tell', () => {
  const temp = tempDir('fhirseed-stale-staging-');
  const children: ChildProcess[] = [];
  afterAll(() => {
    children.forEach((c) => c.kill('SIGKILL'));
    temp.cleanup();
  });

  it("should remove a tmp- folder whose pid is now a live process that is not node (sleep), and keep a live node run's", async () => {
    const sleeper = spawn('sleep', ['120'], { stdio: 'ignore' });
    children.push(sleeper);
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    // Until exec has replaced the forked node, /proc still shows node's command line.
    for (let i = 0; i < 100 && !/sleep/.test(readCmdline(sleeper.pid!)); i++) await new Promise((r) => setTimeout(r, 20));
    const parent = join(temp.dir, 'a');
    const stale = `.out.fhirseed-tmp-${sleeper.pid}`;
    const live = `.out.fhirseed-tmp-${process.ppid}`;
    mkdirSync(join(parent, stale, 'bundles'), { recursive: true });
    mkdirSync(join(parent, live));
    const made = createTempOutput(join(parent, 'out'));
    expect(readdirSync(parent).sort()).toEqual([live, basename(made)].sort());
    expect(sleeper.exitCode).toBeNull(); // still running: the folder went because of what the pid now is
  });

  it('should tell a process that started after a change from the one that made it (start time from /proc)', () => {
    const started = processStartMs(process.pid)!;
    expect(Math.abs(started - (Date.now() - process.uptime() * 1000))).toBeLessThan(2500);
    expect(mayStillOwn(process.pid, Date.now())).toBe(true);
    expect(mayStillOwn(process.pid, started + 1000)).toBe(true); // within the slack of whole-second boot time
    expect(mayStillOwn(process.pid, started - 3_600_000)).toBe(false); // changed an hour before this process began
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    expect(mayStillOwn(dead, Date.now())).toBe(false);
    expect(processStartMs(dead)).toBeUndefined();
  });
});

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
