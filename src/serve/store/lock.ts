import { dirname } from 'node:path';
import { UserError } from '../../util/errors.js';
import { takePidLock } from '../../util/pid-lock.js';
import { liveStoreHolder, lockPath } from '../../util/store-lock.js';

export { lockPath };

/**
 * One serve per store file: a pid file `FILE.lock` beside the store (util/pid-lock.ts: atomic, naming its owner's pid
 * and stamp, a stale one taken over). Within one process the lock is counted (the start and the store's open both
 * take it).
 */
const held = new Map<string, { count: number; release: () => void }>();

/** Whether this process holds the lock of `file` (closeCleanly removes the `-wal`/`-shm` files only then). */
export function holdsStoreLock(file: string): boolean {
  return held.has(lockPath(file));
}

/**
 * Takes the lock of the store `file` (its folder must exist) and returns its release (idempotent). Throws UserError,
 * touching nothing, when a live process other than this one holds it: one line naming the store and the pid.
 */
export function lockStore(file: string): () => void {
  const path = lockPath(file);
  const taken = held.get(path) ?? { count: 0, release: acquire(path, file) };
  taken.count++;
  held.set(path, taken);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--taken.count > 0) return;
    held.delete(path);
    taken.release();
  };
}

function acquire(path: string, file: string): () => void {
  return takePidLock(path, {
    held: (pid) => storeInUse(file, pid),
    // A folder this process may not write in (EACCES, EROFS): SQLite could not write its journal there either.
    unwritable: (code) => new UserError(`store ${file}: cannot write in its folder ${dirname(path)} (${code}); serve with --store FILE in a folder you can write to, or --store memory`),
    failed: (code) => new UserError(`store ${file}: cannot lock it (${code})`),
    churning: () => new UserError(`store ${file}: cannot lock it (its lock ${path} keeps changing); stop the other serves of it`),
  });
}

/**
 * Throws UserError when a live process other than this one holds the lock of the store `file` (one line naming the
 * store, the pid and the lock file to delete if that pid is not a serve); reads the lock and touches nothing (`start`
 * calls it before generating into a served directory).
 */
export function assertStoreFree(file: string): void {
  const pid = liveStoreHolder(file);
  if (pid !== undefined) throw storeInUse(file, pid);
}

/** The one line for a store whose lock live process `pid` (not this one) holds. */
function storeInUse(file: string, pid: number): UserError {
  return new UserError(
    `store ${file}: in use by another fhirseed serve (pid ${pid}); stop that one, or serve with --store FILE for a store of its own` +
      `; if pid ${pid} is not a fhirseed serve, delete ${lockPath(file)}`,
  );
}
