import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that always ends: makes `dir` and its missing parents, each with one plain mkdir, top down, and throws
 * the first failure (a NodeJS.ErrnoException: ENOENT, EACCES, ENOTDIR, EROFS…) as is. An existing directory is fine.
 *
 * Not `mkdirSync(dir, { recursive: true })`: Node's recursive mkdir (seen in v20.20) retries for ever, at full CPU,
 * when a parent exists but refuses the child with ENOENT, as procfs does (`/proc/nope`, or a symlink into /proc);
 * the sync form stops the event loop, so no request is answered and SIGINT is never handled.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const one of missing) {
    try {
      mkdirSync(one);
    } catch (error) {
      // Made meanwhile by someone else; a file or a dangling link there fails at the next mkdir or at the write.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
