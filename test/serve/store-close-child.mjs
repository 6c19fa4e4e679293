// Child of store-interrupt.test.ts: ROUNDS times, starts a SQLite store's bulk loader (two worker threads) on the first
// bundle of DIR and closes it as soon as worker `round % 2` has made its first key file, i.e. while that worker opens
// its files (calls into libsql); says "closed N" after each round. A worker terminated inside such a call made libsql
// panic (neon external.rs PendingException), which aborts this process.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBulkLoader } from '../../src/serve/store/bulk-load.ts';
import { openStore } from '../../src/serve/store/open.ts';

const [dir, rounds] = process.argv.slice(2);
const files = readdirSync(join(dir, 'bundles'))
  .sort()
  .map((name) => join(dir, 'bundles', name));
const scratch = mkdtempSync(join(tmpdir(), 'fhirseed-store-close-'));
try {
  for (let round = 0; round < Number(rounds); round++) {
    const store = openStore(undefined, []);
    const keysAt = join(scratch, `round-${round}`);
    const loader = createBulkLoader(store.repo, { workers: 2, minJsonFiles: 0, keysAt });
    void loader.loadJson(files[0], 'first', { loaded: 0, errors: [] }, files.slice(1, 9), files.length).catch(() => undefined);
    const deadline = Date.now() + 120_000;
    while (!existsSync(`${keysAt}-keys-${round % 2}-0`)) {
      if (Date.now() > deadline) throw new Error(`worker ${round % 2} made no key file in 120 s`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await loader.close();
    store.close();
    process.stdout.write(`closed ${round}\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
