import { join } from 'node:path';
import { indexR4Definitions } from '../../src/serve/router.js';
import { openStore } from '../../src/serve/store/open.js';
import { tempDir } from '../helpers/output.js';

/**
 * A store file holding `n` Organizations (`o0`…, named `Org N`; more than the 100 rows libsql fetches at a time
 * when n > 100), built, closed and reopened for serving; its folder's removal and the store's close pushed onto
 * `cleanups` (run in reverse).
 */
export async function organizationStore(n: number, cleanups: (() => void)[]) {
  indexR4Definitions();
  const t = tempDir('fhirseed-store-reads-');
  cleanups.push(t.cleanup);
  const file = join(t.dir, 'store.sqlite');
  const built = openStore(undefined, [], { file });
  await built.repo.withTransaction(async () => {
    for (let i = 0; i < n; i++) await built.repo.preload({ resourceType: 'Organization', id: `o${i}`, name: `Org ${i}` });
  });
  built.markLoaded();
  built.close();
  const store = openStore(undefined, [], { file });
  cleanups.push(() => store.close());
  return { file, store };
}
