// A store lock whose pid now names another process (a reboot, a container restart: U defect 2 of session 12) is
// taken over; one whose process is still the one that wrote it is not. In process, on real files and real processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockPath, lockStore } from '../../src/serve/store/lock.js';
import { isSameProcess, processStamp } from '../../src/util/running.js';

const dir = mkdtempSync(join(tmpdir(), 'fhirseed-lock-stale-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A live process that is not fhirseed (`sleep`), or a live node process, until the file's end. */
async function live(program: 'sleep' | 'node'): Promise<number> {
  const child = program === 'sleep' ? spawn('sleep', ['600'], { stdio: 'ignore' }) : spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child.pid!;
}

let n = 0;
/** A store file whose lock holds `text`. */
function lockedStore(text: string): string {
  const file = join(dir, `store-${++n}.sqlite`);
  writeFileSync(lockPath(file), text);
  return file;
}

const mine = (file: string) => Number(readFileSync(lockPath(file), 'utf8').split(' ')[0]);

describe.runIf(process.platform === 'linux')('store lock: a pid reused by another process', () => {
  it('should stamp a lock with the boot id and the start time, and tell a process by it', async () => {
    const pid = await live('sleep');
    const stamp = processStamp(pid)!;
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    expect(stamp).toMatch(new RegExp(`^${boot}:\\d+$`));
    expect(processStamp(pid)).toBe(stamp);
    expect(isSameProcess(pid, stamp)).toBe(true);
    expect(isSameProcess(pid, `${boot}:1`)).toBe(false);
    expect(isSameProcess(pid, `00000000-0000-0000-0000-000000000000:${stamp.split(':')[1]}`)).toBe(false);

    const file = join(dir, 'own.sqlite');
    const release = lockStore(file);
    expect(readFileSync(lockPath(file), 'utf8')).toBe(`${process.pid} ${processStamp(process.pid)}\n`);
    release();
  });

  it('should take over a lock whose pid is alive but started after the lock was written (its pid reused)', async () => {
    const pid = await live('node');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const file = lockedStore(`${pid} ${boot}:1\n`);
    const release = lockStore(file);
    expect(mine(file)).toBe(process.pid);
    release();
  });

  it('should take over a lock written before a reboot (another boot id), its pid alive now', async () => {
    const pid = await live('node');
    const file = lockedStore(`${pid} 00000000-0000-0000-0000-000000000000:${processStamp(pid)!.split(':')[1]}\n`);
    const release = lockStore(file);
    expect(mine(file)).toBe(process.pid);
    release();
  });

  it('should take over a lock holding only the pid of a live process that is not node or fhirseed (`echo 1 > FILE.lock`)', async () => {
    const pid = await live('sleep');
    const file = lockedStore(`${pid}\n`);
    const release = lockStore(file);
    expect(mine(file)).toBe(process.pid);
    release();
  });

  it('should refuse a lock whose process is the one that wrote it, naming the pid and the lock file to delete', async () => {
    const pid = await live('sleep');
    const file = lockedStore(`${pid} ${processStamp(pid)}\n`);
    expect(() => lockStore(file)).toThrow(
      `store ${file}: in use by another fhirseed serve (pid ${pid}); stop that one, or serve with --store FILE for a store of its own; if pid ${pid} is not a fhirseed serve, delete ${lockPath(file)}`,
    );
    expect(readFileSync(lockPath(file), 'utf8')).toBe(`${pid} ${processStamp(pid)}\n`);
  });

  it('should refuse a lock holding only the pid of a live node process (a fhirseed before stamps)', async () => {
    const pid = await live('node');
    const file = lockedStore(`${pid}\n`);
    expect(() => lockStore(file)).toThrow(`(pid ${pid})`);
  });
});
