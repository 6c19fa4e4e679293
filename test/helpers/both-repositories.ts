import type { Resource } from '@medplum/fhirtypes';
import { AtomicMemoryRepository, indexR4Definitions } from '../../src/serve/router.js';
import { openStore } from '../../src/serve/store/open.js';
import type { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';

/**
 * The same resources preloaded into the in-memory repository and an in-memory SQLite store (loaded: its index built),
 * for tests that compare the two repositories' answers.
 */
export async function bothRepositories(resources: Resource[]): Promise<{ memory: AtomicMemoryRepository; repo: SqliteRepository }> {
  indexR4Definitions();
  const memory = new AtomicMemoryRepository();
  const store = openStore(undefined, []);
  for (const r of resources) {
    await memory.preload(r);
    await store.repo.withTransaction(async () => store.repo.preload(r));
  }
  store.markLoaded();
  return { memory, repo: store.repo };
}
