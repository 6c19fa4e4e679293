import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` is alive on this machine (signal 0: nothing sent). EPERM means alive but another user's;
 * ESRCH gone. Used to tell a pid-named leftover (a staging folder, a store lock) of a crashed run from one in use.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * What tells process `pid` from a later one given the same pid (after a reboot, a container restart or the pids
 * wrapping): `BOOT_ID:START`, the kernel's boot id (`/proc/sys/kernel/random/boot_id`) and the process's start time in
 * clock ticks since boot (`/proc/<pid>/stat` field 22, proc(5)). Undefined where /proc cannot tell (not Linux, the
 * process gone, /proc mounted with hidepid).
 */
export function processStamp(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 is the command in parentheses and may hold spaces or ')': the fields after the last ')' start at 3.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
    return boot && start && /^\d+$/.test(start) ? `${boot}:${start}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the process a lock names is still the one that wrote it: `pid` alive and, when the lock recorded its
 * `stamp` (processStamp) and /proc can tell, the same stamp now. A lock with no stamp (written by hand or by a
 * fhirseed before stamps) is told by the process's command line where /proc has it: a live pid whose program is not
 * node or fhirseed (pid 1 after a restart, a kernel thread) does not hold it.
 */
export function isSameProcess(pid: number, stamp: string | undefined): boolean {
  if (!isRunning(pid)) return false;
  if (stamp !== undefined) {
    const now = processStamp(pid);
    return now === undefined || now === stamp;
  }
  return mayBeFhirseed(pid);
}

/**
 * Whether live process `pid` may be a fhirseed one: its command line (/proc) runs node or fhirseed, or /proc cannot
 * tell. False for pid 1 after a container restart, a kernel thread, a shell.
 */
function mayBeFhirseed(pid: number): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return true;
  }
  return argv.slice(0, 2).some((a) => /(^|[\\/])(node|nodejs)(\.exe)?$/i.test(a) || /fhirseed/i.test(a));
}

/**
 * When process `pid` started, in ms since the epoch: the boot time (`btime` in /proc/stat, whole seconds) plus its
 * start in clock ticks since boot (/proc/<pid>/stat field 22, proc(5)) at USER_HZ 100, the value Linux gives user
 * space on every architecture. About a second either way; undefined where /proc cannot tell.
 */
export function processStartMs(pid: number): number | undefined {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
    return btime && start && /^\d+$/.test(start) ? Number(btime) * 1000 + Number(start) * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** The slack of processStartMs (btime is whole seconds) and of a clock stepped a little, in ms. */
const START_SLACK_MS = 3000;

/**
 * Whether a leftover named by `pid` alone (a staging folder `…-tmp-PID`), last changed at `changedMs` (ms since the
 * epoch), may still be that process's: `pid` alive, not started after the change (a pid reused after a reboot, a
 * container restart or the pids wrapping belongs to a process started later; what processStamp's boot id and start
 * time tell a lock, told here by the start time alone, as the name holds no stamp), and running node or fhirseed where
 * /proc says. A process that started within a few seconds of the change is given the benefit of the doubt.
 */
export function mayStillOwn(pid: number, changedMs: number): boolean {
  if (!isRunning(pid)) return false;
  const started = processStartMs(pid);
  if (started !== undefined && started > changedMs + START_SLACK_MS) return false;
  return mayBeFhirseed(pid);
}
