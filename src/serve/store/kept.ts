import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../util/errors.js';

/**
 * Puts a store file of an older store schema aside instead of deleting it (what apps wrote to it is theirs): renamed to
 * `FILE.schema-N` (N its schema version) beside it, with its write-ahead log (`-wal`, which holds commits not yet in
 * the file) renamed along so SQLite still reads both, when it holds any: an empty one (the start's read-only look at
 * the store makes one) is removed, not left as a 0-byte `FILE.schema-N-wal`. Its `-shm` index, rebuilt from the log,
 * is removed. The log is not copied into the kept file here: SQLite shares one `-shm` index among a process's
 * connections to a file, and a connection of this process still open on the old file (libsql closes one only when its
 * statements are garbage) may hold a stale one; a test that copied the log so (wal_checkpoint TRUNCATE) lost its
 * commit. Only the last
 * one is kept: a `FILE.schema-*` put aside by an earlier upgrade is removed first, so upgrades do not pile up copies
 * (each the size of the store). Returns the path it was kept at. Renames within one folder: no copy, no extra space
 * until the new store is built beside it. Throws a UserError naming both paths when the folder does not let it.
 */
export function keepOldStore(file: string, schema: number): string {
  const kept = `${file}.schema-${Number.isInteger(schema) ? schema : 'unknown'}`;
  const prefix = `${basename(file)}.schema-`;
  try {
    for (const name of readdirSync(dirname(file))) if (name.startsWith(prefix)) rmSync(join(dirname(file), name), { force: true });
    renameSync(file, kept);
    if (existsSync(`${file}-wal`)) {
      if (statSync(`${file}-wal`).size > 0) renameSync(`${file}-wal`, `${kept}-wal`);
      else rmSync(`${file}-wal`, { force: true });
    }
    rmSync(`${file}-shm`, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(`store ${file}: built by an older store schema, and it cannot be put aside as ${kept} (${code}); move it away, or serve with --rebuild-store to discard it`);
  }
  return kept;
}
