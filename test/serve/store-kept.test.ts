import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
});
