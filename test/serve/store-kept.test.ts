import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { indexR4Definitions } from '../../src/serve/router.js';
import { builtNote } from '../../src/serve/store/engine.js';
import { openStore, SCHEMA_VERSION } from '../../src/serve/store/open.js';
import { tempDir } from '../helpers/output.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A store file as an older fhirseed left it: one resource an app wrote, its schema version set to `schema`. */
async function oldStore(dir: string, schema: number): Promise<string> {
  const file = join(dir, 'store.sqlite');
  const store = openStore(undefined, [], { file });
  await store.repo.withTransaction(async () => store.repo.preload({ resourceType: 'Patient', id: `written-at-${schema}`, gender: 'female' }));
  store.markLoaded();
  store.repo.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema'").run(String(schema));
  store.close();
  return file;
}

/**
 * Commits a meta row `in-the-log` to `file` from another process that ends without closing it, so the commit stays
 * in the write-ahead log (`FILE-wal`), not in the file: as a store is left by a killed serve.
 */
function commitToLogOnly(file: string): void {
  const script = `import Database from 'libsql';
const db = new Database(${JSON.stringify(file)});
db.pragma('wal_autocheckpoint = 0');
db.exec("INSERT INTO meta (key, value) VALUES ('in-the-log', 'yes')");
process.exit(0);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
}

/** The first row of `sql` on `file`, read-only, by another process (as an app reading the kept store would). */
function readInChild(file: string, sql: string): unknown {
  const script = `import Database from 'libsql';
const db = new Database(${JSON.stringify(file)}, { readonly: true, fileMustExist: true });
process.stdout.write(JSON.stringify(db.prepare(${JSON.stringify(sql)}).raw().get() ?? null));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

// F8 of session 17's trial: an upgrade discarded what apps wrote to the sandbox.
describe('a store of an older store schema', () => {
  it('should be kept aside as FILE.schema-N, with what apps wrote, and the start line should say where', async () => {
    indexR4Definitions();
    const temp = tempDir('fhirseed-store-kept-');
    cleanups.push(temp.cleanup);
    const file = await oldStore(temp.dir, 3);
    const again = openStore(undefined, [], { file });
    cleanups.push(() => again.close());
    expect(again.reused).toBe(false);
    expect(again.kept).toBe(`${file}.schema-3`);
    expect(builtNote(again)).toBe(`store ${file} rebuilt (store schema 3 → ${SCHEMA_VERSION}): the old store, with what apps wrote to it, is kept as ${file}.schema-3 (until the next schema upgrade)`);
    const kept = new Database(`${file}.schema-3`, { readonly: true, fileMustExist: true });
    expect(kept.prepare("SELECT count(*) FROM resources WHERE id = 'written-at-3'").raw().get()).toEqual([1]);
    kept.close();
  });

  it('should keep only the last one put aside, and not keep a store that --rebuild-store discards', async () => {
    indexR4Definitions();
    const temp = tempDir('fhirseed-store-kept-');
    cleanups.push(temp.cleanup);
    writeFileSync(join(temp.dir, 'store.sqlite.schema-2'), 'put aside by an earlier upgrade');
    writeFileSync(join(temp.dir, 'store.sqlite.schema-2-wal'), '');
    const file = await oldStore(temp.dir, 4);
    openStore(undefined, [], { file }).close();
    // The kept file with its write-ahead log (renamed along: it may hold the last commits); the earlier one gone.
    expect(readdirSync(temp.dir).filter((name) => name.includes('.schema-') && !name.startsWith('store.sqlite.schema-4'))).toEqual([]);
    expect(existsSync(`${file}.schema-4`)).toBe(true);
    // Asked to rebuild: discarded as before, the kept one left as it is.
    const asked = await oldStore(temp.dir, 5);
    const rebuilt = openStore(undefined, [], { file: asked, rebuild: true });
    rebuilt.close();
    expect(rebuilt.kept).toBeUndefined();
    expect(existsSync(`${file}.schema-5`)).toBe(false);
    expect(existsSync(`${file}.schema-4`)).toBe(true);
  });

  // s17 trial: a 0-byte store.sqlite.schema-N-wal was left beside the kept store (the start's read-only look at the
  // store makes an empty log, which was renamed along).
  it('should keep the store\'s log beside it only when the log holds commits: no empty FILE.schema-N-wal', async () => {
    indexR4Definitions();
    const temp = tempDir('fhirseed-store-kept-');
    cleanups.push(temp.cleanup);
    const file = await oldStore(temp.dir, 7);
    const rebuilt = openStore(undefined, [], { file });
    rebuilt.markLoaded();
    rebuilt.close();
    expect(readdirSync(temp.dir).sort()).toEqual(['store.sqlite', 'store.sqlite.schema-7']);

    // A store left by a killed serve: a commit only in its log, which must go with the kept file.
    const other = tempDir('fhirseed-store-kept-');
    cleanups.push(other.cleanup);
    const logged = await oldStore(other.dir, 6);
    commitToLogOnly(logged);
    expect(statSync(`${logged}-wal`).size).toBeGreaterThan(0);
    const again = openStore(undefined, [], { file: logged });
    again.markLoaded();
    again.close();
    expect(readdirSync(other.dir).sort()).toEqual(['store.sqlite', 'store.sqlite.schema-6', 'store.sqlite.schema-6-wal']);
    // Read by another process (this one's connections to the old file share a stale -shm index, see keepOldStore).
    expect(readInChild(`${logged}.schema-6`, "SELECT value FROM meta WHERE key = 'in-the-log'")).toEqual(['yes']);
    expect(readInChild(`${logged}.schema-6`, "SELECT count(*) FROM resources WHERE id = 'written-at-6'")).toEqual([1]);
  });
});
