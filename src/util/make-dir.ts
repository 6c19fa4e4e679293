import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that always ends: makes `dir` and its missing parents, each with one plain mkdir, top down, and throws
 * the first failure (a NodeJS.ErrnoException: ENOENT, EACCES, ENOTDIR, EROFS…) as is; EEXIST for a file at `dir`. An
 * existing directory is fine.
 * Returns the first directory it made (as `mkdirSync(dir, { recursive: true })` does), undefined when none.
 *
 * Not `mkdirSync(dir, { recursive: true })`: Node's recursive mkdir (seen in v20.20) retries for ever, at full CPU,
 * when a parent exists but refuses the child with ENOENT, as procfs does (`/proc/nope`, or a symlink into /proc);
 * the sync form stops the event loop, so no request is answered and SIGINT is never handled.
 */
export function makeDirectory(dir: string): string | undefined {
  // A file where the directory should be: EEXIST, as mkdirSync's recursive form says it.
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${dir}'`), { code: 'EEXIST', path: dir });
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  let first: string | undefined;
  for (const one of missing) {
    try {
      mkdirSync(one);
      first ??= one;
    } catch (error) {
      // Made meanwhile by someone else; a file or a dangling link there fails at the next mkdir or at the write.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return first;
}
