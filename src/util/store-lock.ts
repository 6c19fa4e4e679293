import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { liveLockHolder } from './pid-lock.js';

/**
 * The reading side of serve's store lock (serve/store/lock.ts takes and releases it): a pid file `FILE.lock` beside
 * the store file (util/pid-lock.ts). Here so that `generate` (src/output),
 * which would replace a served directory, can tell a live serve without importing from src/serve.
 */

/** The lock file of a store file: its absolute path with `.lock` added. */
export function lockPath(file: string): string {
  return `${resolve(file)}.lock`;
}

/**
 * The pid of the live process other than this one that holds the lock of store `file`; undefined when nobody does or
 * the lock is stale (its process is gone or its pid now names another process: util/running.ts isSameProcess).
 */
export function liveStoreHolder(file: string): number | undefined {
  return liveLockHolder(lockPath(file));
}

/**
 * The stores in folder `dir` (`*.lock` files beside them) that a live serve other than this process holds, as
 * `{ file, pid }`; empty when the folder is missing or holds no live lock. Reads only.
 */
export function liveStoresIn(dir: string): { file: string; pid: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const live: { file: string; pid: number }[] = [];
  for (const name of names) {
    if (!name.endsWith('.lock')) continue;
    const file = join(dir, name.slice(0, -'.lock'.length));
    const pid = liveStoreHolder(file);
    if (pid !== undefined) live.push({ file, pid });
  }
  return live;
}
