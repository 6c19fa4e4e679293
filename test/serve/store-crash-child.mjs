// Child of store.test.ts: opens the SQLite store FILE, commits Patient/committed, then writes 2,000 patients inside
// one transaction with a tiny page cache (so uncommitted pages spill into the WAL file), says "in-transaction" and
// waits there for the parent's SIGKILL.
import { indexR4Definitions } from '../../src/serve/router.ts';
import { openStore } from '../../src/serve/store/open.ts';

const file = process.argv[2];
indexR4Definitions();
const store = openStore(undefined, [], { file });
store.markLoaded();
store.repo.db.pragma('cache_size = 5');
await store.repo.createResource({ resourceType: 'Patient', id: 'committed' });
await store.repo.withTransaction(async () => {
  for (let i = 0; i < 2000; i++) await store.repo.createResource({ resourceType: 'Patient', id: `uncommitted-${i}`, name: [{ family: `Family${i}`, given: ['Pat'] }] });
  process.stdout.write('in-transaction\n');
  await new Promise(() => undefined);
});
