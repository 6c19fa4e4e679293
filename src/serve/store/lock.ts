import { linkSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../util/errors.js';
import { processStamp } from '../../util/running.js';
import { liveStoreHolder, lockOwner, lockPath } from '../../util/store-lock.js';

export { lockPath };

/**
 * One serve per store file: a pid file `FILE.lock` beside the store, made with link(2) from a complete temporary
 * file (atomic, fails with EEXIST when it is there), holding the owner's process id and, on Linux, its stamp (boot id
 * and start time, util/running.ts processStamp). A lock whose process is gone (kill -9, a crash) is stale and taken
 * over, and so is one whose pid now names another process (the stamp differs: a reboot, a container restart). Not
 * proper-lockfile: it keeps no pid to name the holder, and it tells a dead holder only by an mtime not refreshed for
 * `stale` ms (seconds of waiting, a timer kept running), where the pid tells it at once. Within one process the lock
 * is counted (the start and the store's open both take it).
 */
const held = new Map<string, number>();

/** Whether this process holds the lock of `file` (closeCleanly removes the `-wal`/`-shm` files only then). */
export function holdsStoreLock(file: string): boolean {
  return (held.get(lockPath(file)) ?? 0) > 0;
}

/**
 * Takes the lock of the store `file` (its folder must exist) and returns its release (idempotent). Throws UserError,
 * touching nothing, when a live process other than this one holds it: one line naming the store and the pid.
 */
export function lockStore(file: string): () => void {
  const path = lockPath(file);
  const count = held.get(path) ?? 0;
  if (count === 0) acquire(path, file);
  held.set(path, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(path) ?? 1) - 1;
    if (left > 0) {
      held.set(path, left);
      return;
    }
    held.delete(path);
    if (ownerOf(path) === process.pid) rmSync(path, { force: true });
  };
}

function acquire(path: string, file: string): void {
  const temporary = `${path}.${process.pid}`;
  try {
    writeFileSync(temporary, lockText(process.pid));
  } catch (error) {
    // A folder this process may not write in (EACCES, EROFS): SQLite could not write its journal there either.
    throw new UserError(`store ${file}: cannot write in its folder ${dirname(path)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); serve with --store FILE in a folder you can write to, or --store memory`);
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(temporary, path);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new UserError(`store ${file}: cannot lock it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
        }
      }
      assertStoreFree(file);
      // Stale (its process is gone, its pid reused, or a pid this process now has after a restart): taken over.
      try {
        unlinkSync(path);
      } catch {
        // taken over by another start at the same moment: the next link tells
      }
    }
    throw new UserError(`store ${file}: cannot lock it (its lock ${path} keeps changing); stop the other serves of it`);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Throws UserError when a live process other than this one holds the lock of the store `file` (one line naming the
 * store, the pid and the lock file to delete if that pid is not a serve); reads the lock and touches nothing (`start`
 * calls it before generating into a served directory).
 */
export function assertStoreFree(file: string): void {
  const pid = liveStoreHolder(file);
  if (pid !== undefined) {
    throw new UserError(
      `store ${file}: in use by another fhirseed serve (pid ${pid}); stop that one, or serve with --store FILE for a store of its own` +
        `; if pid ${pid} is not a fhirseed serve, delete ${lockPath(file)}`,
    );
  }
}

/** A lock's text: `PID STAMP` (processStamp), or `PID` alone where /proc cannot tell. */
function lockText(pid: number): string {
  const stamp = processStamp(pid);
  return `${pid}${stamp ? ` ${stamp}` : ''}\n`;
}

/** The pid in a lock file; undefined when it is gone or unreadable. */
function ownerOf(path: string): number | undefined {
  return lockOwner(path)?.pid;
}
