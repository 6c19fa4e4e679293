import { renameSync, statSync, unlinkSync, writeFileSync, accessSync, constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../util/errors.js';

/**
 * Checks before any work that `file` can be written: its directory exists and is writable, and the
 * file is not a directory. Throws UserError `--html FILE: cannot write (CODE)`.
 */
export function checkWritable(file: string): void {
  try {
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const dir = dirname(file);
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new UserError(`--html ${file}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Writes the page through a temporary file beside it and a rename, so a reader never sees half a page. */
export function writePage(file: string, html: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, html);
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // nothing was written
    }
    throw new UserError(`--html ${file}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
