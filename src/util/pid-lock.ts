import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { isSameProcess, processStamp } from './running.js';

/**
 * A pid-file lock: a file holding its owner's process id and, on Linux, its stamp (boot id and start time,
 * running.ts processStamp), made with link(2) from a complete temporary file (atomic, fails with EEXIST when it is
 * there). A lock whose process is gone (kill -9, a crash) is stale and taken over, and so is one whose pid now names
 * another process (the stamp differs: a reboot, a container restart). Serve's store lock (serve/store/lock.ts) and
 * generate's output lock (output/target.ts) are this. Not proper-lockfile: it keeps no pid to name the holder, and it
 * tells a dead holder only by an mtime not refreshed for `stale` ms, where the pid tells it at once.
 */

/** The errors a lock that cannot be taken throws, each in its owner's words. */
export interface PidLockRefusals {
  /** A live process other than this one holds it. */
  held(pid: number): Error;
  /** Its temporary file cannot be written (`code`: EACCES, EROFS…): the folder is not writable. */
  unwritable(code: string): Error;
  /** link(2) failed otherwise (`code`). */
  failed(code: string): Error;
  /** It was taken over by others three times in a row while this process tried. */
  churning(): Error;
}

/** The pid and stamp (if any) a lock file holds; undefined when it is gone or unreadable. */
export function lockOwner(path: string): { pid: number; stamp: string | undefined } | undefined {
  try {
    const [first, stamp] = readFileSync(path, 'utf8').trim().split(/\s+/);
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? { pid, stamp } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid of the live process other than this one that holds lock file `path`; undefined when nobody does or the lock
 * is stale (its process gone, or its pid now names another process: running.ts isSameProcess).
 */
export function liveLockHolder(path: string): number | undefined {
  const owner = lockOwner(path);
  return owner !== undefined && owner.pid !== process.pid && isSameProcess(owner.pid, owner.stamp) ? owner.pid : undefined;
}

/**
 * Takes lock file `path` (its folder must exist) for this process, taking over a stale one, and returns its release
 * (idempotent: removes the file when it still names this process). Throws `refuse`'s errors, touching nothing, when it
 * cannot: `held(pid)` when a live process other than this one holds it. Not counted: a lock this process holds is
 * taken over by it again (the caller tells that case, as serve counts its own takes).
 */
export function takePidLock(path: string, refuse: PidLockRefusals): () => void {
  const temporary = `${path}.${process.pid}`;
  try {
    writeFileSync(temporary, lockText(process.pid));
  } catch (error) {
    throw refuse.unwritable(errorCode(error));
  }
  try {
    for (let attempt = 0; ; attempt++) {
      if (attempt === 3) throw refuse.churning();
      try {
        linkSync(temporary, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw refuse.failed(errorCode(error));
      }
      const pid = liveLockHolder(path);
      if (pid !== undefined) throw refuse.held(pid);
      // Stale (its process is gone, its pid reused, or a pid this process now has after a restart): taken over.
      try {
        unlinkSync(path);
      } catch {
        // taken over by another start at the same moment: the next link tells
      }
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (lockOwner(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

/** A lock's text: `PID STAMP` (processStamp), or `PID` alone where /proc cannot tell. */
function lockText(pid: number): string {
  const stamp = processStamp(pid);
  return `${pid}${stamp ? ` ${stamp}` : ''}\n`;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
