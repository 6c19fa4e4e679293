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
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return true;
  }
  return argv.slice(0, 2).some((a) => /(^|[\\/])(node|nodejs)(\.exe)?$/i.test(a) || /fhirseed/i.test(a));
}
