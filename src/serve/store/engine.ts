import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FhirRouter } from '@medplum/fhir-router';
import { Interrupted, UserError } from '../../util/errors.js';
import { dataFiles, loadDirectory, type LoadResult } from '../load.js';
import { createEngine, type AtomicMemoryRepository } from '../router.js';
import { createBulkLoader } from './bulk-load.js';
import { openStore, STORE_DIR, STORE_FILE, type OpenedStore } from './open.js';
import { SqliteRepository } from './sqlite-repository.js';

export type StoreKind = 'memory' | 'sqlite';
export const STORE_KINDS: readonly StoreKind[] = ['memory', 'sqlite'];

export interface RepositoryOptions {
  /** The directory to preload. */
  dir?: string;
  /**
   * `memory` (medplum's in-memory repository, loaded at every start) or `sqlite` (the persistent, indexed store).
   * Default: `sqlite` when `storeFile` is given, else $FHIRSEED_STORE, else `sqlite` (an in-memory SQLite database
   * when there is no `dir`).
   */
  store?: StoreKind;
  /** The SQLite store's file (default DIR/sandbox-store/store.sqlite). */
  storeFile?: string;
  /** Rebuild the SQLite store from the directory even when it matches. */
  rebuildStore?: boolean;
  /**
   * Stops the load (Ctrl-C, SIGTERM): createRepository then throws Interrupted, the store not marked loaded (a first
   * build's FILE.building and scratch files are removed as the store closes; the next start builds it anew).
   */
  signal?: AbortSignal;
  /**
   * Called with the SQLite store on disk as soon as it is opened (before its load; not for a store in memory), for a
   * process that may end before createRepository returns: `serve`'s second Ctrl-C says what it leaves with
   * storeLeftByStart.
   */
  onStoreOpened?: (store: StoreAtStart) => void;
}

/** The SQLite store as a start opened it: its file, whether it was reused, its build's FILE.building, the store it replaced. */
export type StoreAtStart = Pick<OpenedStore, 'file' | 'reused' | 'scratch' | 'replaced' | 'kept'>;

export interface Repository {
  router: FhirRouter;
  repo: AtomicMemoryRepository;
  loaded: LoadResult;
  /** A line about the store for the start-up message (`store … reused`), when there is one. */
  storeNote?: string;
  /** The SQLite store's file, when there is one on disk. */
  storeFile?: string;
  close(): void;
}

/** The SQLite store file createRepository would open on disk, if any (startServer locks it before binding its port). */
export function storeFileOf(options: RepositoryOptions): string | undefined {
  const kind = options.store ?? (options.storeFile ? 'sqlite' : storeFromEnvironment());
  if (kind === 'memory') return undefined;
  return options.storeFile ?? (options.dir ? join(options.dir, STORE_DIR, STORE_FILE) : undefined);
}

/**
 * The router and repository behind the sandbox, with `dir` loaded: into memory, or into the SQLite store, which
 * is reused when it already holds that data. Throws UserError for an unknown store kind, an unreadable
 * directory, or a store file that is not a fhirseed store; Interrupted when `signal` stops the load.
 */
export async function createRepository(options: RepositoryOptions): Promise<Repository> {
  const kind = options.store ?? (options.storeFile ? 'sqlite' : storeFromEnvironment());
  const { router, repo: memory } = createEngine();
  if (kind === 'memory') {
    const loaded = options.dir ? await loadDirectory(options.dir, router, memory, options.signal) : { loaded: 0, errors: [] };
    return { router, repo: memory, loaded, close: () => undefined };
  }
  const files = options.dir ? dataFiles(options.dir) : [];
  const store = openStore(options.dir, files, { file: options.storeFile, rebuild: options.rebuildStore });
  if (store.file !== ':memory:') options.onStoreOpened?.(store);
  try {
    const repo: SqliteRepository = store.repo;
    if (store.reused) {
      return { router, repo, loaded: { loaded: store.count(), errors: [] }, storeNote: `store ${store.file} reused`, storeFile: store.file, close: store.close };
    }
    const loaded = options.dir ? await bulkLoad(options.dir, router, repo, options.signal, store.scratch) : { loaded: 0, errors: [] };
    store.markLoaded();
    // markLoaded reopens the finished file for serving: a new repository on it.
    return { router, repo: store.repo, loaded, storeNote: store.file === ':memory:' ? undefined : builtNote(store), storeFile: store.file === ':memory:' ? undefined : store.file, close: store.close };
  } catch (error) {
    store.close();
    throw error instanceof Interrupted ? interruptedBuild(error, store) : error;
  }
}

/**
 * The line of a build stopped by a signal (Interrupted), with what became of the store: the unfinished
 * `FILE.building` removed (store.close, which has run; or left, the next start removing it, when that failed), and for
 * a rebuild what became of the store it replaces (deleted when the build began, or kept as `FILE.schema-N`). A reused
 * store or one in memory: `error` as it is.
 */
export function interruptedBuild(error: Interrupted, store: Pick<OpenedStore, 'reused' | 'scratch' | 'replaced' | 'kept'>): Interrupted {
  const building = store.reused ? undefined : store.scratch;
  if (!building) return error;
  const partial = existsSync(building) ? `the unfinished store ${building} is left (the next start removes it)` : `the unfinished store ${building} removed`;
  return new Interrupted(`${error.message}; ${partial}${oldStore(store)}`);
}

/** What became of the store a build replaces, as `; …` after a line about the build ('' for a first build). */
function oldStore(store: Pick<OpenedStore, 'replaced' | 'kept'>): string {
  return store.kept ? `; the old store is kept as ${store.kept}` : store.replaced ? `; what apps wrote to the old store is gone (${store.replaced})` : '';
}

/**
 * What a start ended at once (a second Ctrl-C while it starts, before it serves) leaves of the SQLite store, from what
 * is on disk now, as `; …` after the line's `nothing served` ('' without a store on disk, or before it was opened:
 * onStoreOpened not yet called; any earlier store then untouched). A build under way: `FILE.building` is left, and
 * with it the store's scratch files and lock, all removed or taken over by the next start (open.ts build, lock.ts); a
 * build finished: the store, kept for the next start to reuse (SQLite replays its write-ahead log, if any); a build
 * whose clean-up ran (the first signal's): removed. A rebuild adds what became of the store it replaced.
 */
export function storeLeftByStart(store: StoreAtStart | undefined): string {
  if (!store) return '';
  if (store.reused || !store.scratch) return `; the store ${store.file} kept`;
  if (existsSync(store.scratch)) return `; the unfinished store ${store.scratch} is left (the next start removes it)${oldStore(store)}`;
  if (existsSync(store.file)) return `; the store ${store.file} built and kept (the next start reuses it)${oldStore(store)}`;
  return `; the unfinished store ${store.scratch} removed${oldStore(store)}`;
}

/**
 * The first build's load: NDJSON and bundles through the worker threads of bulk-load.ts (their keys staged in
 * files at `scratch`), the rest as loadDirectory does; then the workers' keys merged into the index.
 */
async function bulkLoad(dir: string, router: FhirRouter, repo: SqliteRepository, signal: AbortSignal | undefined, scratch: string | undefined): Promise<LoadResult> {
  const bulk = createBulkLoader(repo, { keysAt: scratch });
  try {
    const loaded = await loadDirectory(dir, router, repo, signal, bulk.loadNdjson, bulk.loadJson);
    await bulk.finish();
    return loaded;
  } finally {
    await bulk.close();
  }
}

function storeFromEnvironment(): StoreKind {
  const value = process.env.FHIRSEED_STORE;
  if (!value) return 'sqlite';
  if (!(STORE_KINDS as string[]).includes(value)) throw new UserError(`$FHIRSEED_STORE=${value}: expected ${STORE_KINDS.join(' or ')}`);
  return value as StoreKind;
}

/** The start line of a store built anew: why, when a store file was there before (what apps wrote to it is gone). */
export function builtNote(store: Pick<OpenedStore, 'file' | 'replaced' | 'kept'>): string {
  if (store.kept) return `store ${store.file} rebuilt (${store.replaced}): the old store, with what apps wrote to it, is kept as ${store.kept} (until the next schema upgrade)`;
  return store.replaced ? `store ${store.file} rebuilt (${store.replaced}): what apps wrote to the old store is gone` : `store ${store.file} built`;
}
