import { createHash } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import Database from 'libsql';
import { UserError } from '../../util/errors.js';
import { datePlan } from './date-plan.js';
import { holdsStoreLock, lockStore } from './lock.js';
import { SqliteRepository } from './sqlite-repository.js';
import { endReads } from './unfinished-reads.js';
import { keepOldStore } from './kept.js';
import { makeDirectory } from '../../util/make-dir.js';

/** The store's folder in a served output directory (fhirseed's own: not data, not archived, not foreign). */
export const STORE_DIR = 'sandbox-store';
export const STORE_FILE = 'store.sqlite';
/** Written in the SQLite header (`PRAGMA application_id`): tells fhirseed's store from any other database. */
const APPLICATION_ID = 0x46534544;
/** Bumped when the tables or the index keys change: an older store is rebuilt. */
export const SCHEMA_VERSION = 8;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE resources (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, UNIQUE (type, id));
CREATE TABLE history (hid INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX history_resource ON history (type, id);
CREATE TABLE idx (k TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (k, seq)) WITHOUT ROWID;
CREATE TABLE dates (seq INTEGER NOT NULL, p TEXT NOT NULL, low TEXT NOT NULL, high TEXT NOT NULL, PRIMARY KEY (seq, p, low, high)) WITHOUT ROWID;
CREATE TABLE refs (seq INTEGER NOT NULL, p TEXT NOT NULL, n INTEGER NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (seq, p, n)) WITHOUT ROWID;
`;

export interface StoreOptions {
  /** The store file; default DIR/sandbox-store/store.sqlite, or an in-memory database when nothing is served from a directory. */
  file?: string;
  /** Build the store anew even when it matches the data, or when the file is not a fhirseed store. */
  rebuild?: boolean;
}

export interface OpenedStore {
  /** The repository on the store (a new one after markLoaded of a first build). */
  readonly repo: SqliteRepository;
  file: string;
  /** The store holds the served directory's data already (same files, same schema): nothing to load. */
  reused: boolean;
  /**
   * Why a store file that was there is built anew (`store schema 3 → 4`, `the served files changed`,
   * `--rebuild-store`): what it held, writes from apps included, is gone. Undefined when there was none, or reused.
   */
  replaced?: string;
  /** Where the replaced store of an older schema was put aside, with what apps wrote to it (`FILE.schema-N`, keepOldStore). */
  kept?: string;
  /**
   * For a first build on disk, the path prefix of the build's scratch files (the bulk loader's `keysAt`): beside
   * FILE.building, and removed with it by the next build if this one does not finish.
   */
  scratch?: string;
  /**
   * Records that the load finished, so the next start reuses the store: the build's keys are indexed, and a first
   * build's file is renamed into place and reopened for serving, `repo` then being a new repository on it.
   */
  markLoaded(): void;
  /**
   * How many current resources the store holds: read from `meta`, where a finished build writes it and the writes keep
   * it (a reused store's `count(*)` read its whole (type, id) index: 4.5-6.9 s from disk at 10,000 members).
   */
  count(): number;
  /**
   * Closes the store with its log folded into the file (closeCleanly) and releases its lock; a first build not marked
   * loaded (a signal, a failed load) is removed with its scratch files.
   */
  close(): void;
}

/**
 * Refuses (UserError) a store path that is a directory — not even --rebuild-store replaces one: it may hold
 * anything — and, for a --store FILE (`given`), one whose folder does not exist (a mistyped path makes no
 * folders; DIR/sandbox-store/ is made). `start` calls it before generating.
 */
export function assertStorePath(file: string, given: boolean, storeName = '--store'): void {
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new UserError(`store ${file}: is a directory; give ${storeName} a file path (e.g. ${join(file, STORE_FILE)})`);
  }
  if (given && !existsSync(dirname(file))) throw new UserError(`store ${file}: its folder ${dirname(file)} does not exist`);
}

/**
 * Takes the lock of the store `file` (lock.ts) after assertStorePath, making its folder when it is missing and not
 * `given`; returns its release. `storeName` names the store file's option in the advice (`--store`; startServer's `options.storeFile`). One serve per store: another's close would remove the `-wal`/`-shm` files this one
 * writes to. Throws UserError (one line, nothing touched) for a store another live process holds, naming its pid.
 */
export function lockStoreFile(file: string, given: boolean, storeName = '--store'): () => void {
  assertStorePath(file, given, storeName);
  let made: string | undefined;
  try {
    made = makeDirectory(dirname(file));
  } catch (error) {
    throw new UserError(`store ${file}: cannot create its folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); serve with --store FILE in a folder you can write to, or --store memory`);
  }
  // A start refused after this (the port in use) leaves no empty sandbox-store/ behind; one that served leaves its store.
  const removeMade = () => {
    try {
      if (made) rmdirSync(made);
    } catch {
      // not empty: the store is in it
    }
  };
  try {
    const unlock = lockStore(file);
    return () => {
      unlock();
      removeMade();
    };
  } catch (error) {
    removeMade();
    throw error;
  }
}

/**
 * Refuses (UserError, touching nothing) an existing `file` that is not a fhirseed store (another database, not a
 * database, a damaged header), unless `rebuild`: startServer calls it before loading anything, openStore's own check
 * then finds the same.
 */
export function assertStoreKind(file: string, rebuild: boolean | undefined): void {
  if (rebuild || !existsSync(file)) return;
  const state = inspect(file);
  if (state.kind === 'foreign') throw foreignStore(file, state.reason);
}

function foreignStore(file: string, reason: string): UserError {
  return new UserError(`store ${file}: not a fhirseed sandbox store (${reason}); move it away or serve with --rebuild-store`);
}

/**
 * Opens (or creates) the sandbox's SQLite store for `dir`. A store whose recorded source (the data files' names,
 * sizes and modification times) and schema version match is reused with the writes it holds; otherwise it is
 * emptied for a new load. Throws UserError, touching nothing, for a file that is not a fhirseed store (corrupt
 * or another database) unless `rebuild` is set, for a directory in its place (even with `rebuild`), and for a
 * store that cannot be created (a `file` whose folder is missing among them), and for a store another live process
 * has open (its lock, lock.ts; released by `close`).
 */
export function openStore(dir: string | undefined, files: string[], options: StoreOptions = {}): OpenedStore {
  const file = options.file ?? (dir ? join(dir, STORE_DIR, STORE_FILE) : ':memory:');
  const source = fingerprint(dir, files);
  if (file === ':memory:') return build(file, source, undefined, () => undefined);
  const unlock = lockStoreFile(file, options.file !== undefined);
  try {
    return openLocked(file, source, options, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}

function openLocked(file: string, source: string, options: StoreOptions, unlock: () => void): OpenedStore {
  let replaced: string | undefined;
  let kept: string | undefined;
  if (existsSync(file)) {
    const state = inspect(file);
    if (state.kind === 'foreign' && !options.rebuild) throw foreignStore(file, state.reason);
    if (state.kind === 'store' && state.source === source && state.schema === SCHEMA_VERSION && !options.rebuild) {
      const db = connect(file);
      try {
        return opened(file, db, true, unlock);
      } catch (error) {
        db.close();
        throw damagedStore(error, file);
      }
    }
    // An older schema's store is put aside, not deleted: what apps wrote to it stays readable (keepOldStore).
    const upgraded = !options.rebuild && state.kind === 'store' && state.schema !== SCHEMA_VERSION;
    if (upgraded) kept = keepOldStore(file, state.schema);
    else removeStore(file);
    replaced = options.rebuild
      ? '--rebuild-store'
      : state.kind === 'store' && state.schema !== SCHEMA_VERSION
        ? `store schema ${state.schema} → ${SCHEMA_VERSION}`
        : 'the served files changed';
  }
  return Object.assign(build(file, source, replaced, unlock), { kept });
}

function build(file: string, source: string, replaced: string | undefined, unlock: () => void): OpenedStore {
  // The first build goes to FILE.building, renamed to FILE when it is complete: it can then run without a
  // journal on disk and without fsync (a crash leaves only the .building file, removed by the next build).
  const building = file === ':memory:' ? file : `${file}${BUILDING}`;
  if (building !== file) {
    removeStore(building);
    removeScratch(building);
  }
  const db = connect(building, 'build');
  db.exec(SCHEMA);
  db.pragma(`application_id = ${APPLICATION_ID}`);
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA_VERSION));
  // The date (and include) parameters the store keeps rows for (dates.ts), as served now: the repository reads it back.
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('dates', JSON.stringify(datePlan()));
  return Object.assign(opened(file, db, false, unlock, source), { replaced });
}

/** Suffix of the store file while it is first built. */
const BUILDING = '.building';
/** SQLite's page cache while the store is built (KiB): the resources table's pages and its (type, id) index. */
const BUILD_CACHE_KIB = 65_536;
/**
 * SQLite's page cache for endBulk's sort of the keys staged on this thread (KiB; bulk-worker.ts sorts its own with
 * the same). It also sizes the sorter's in-memory runs, and many small runs (sorted in the CPU's cache, then merged)
 * take less CPU than a few large ones: 1,779,150 keys (300 members) in 1.2 s against 1.9 s with the 64 MiB cache.
 */
const SORT_CACHE_KIB = 2_048;
/**
 * A finished build's count of current resources in `meta`, which SqliteRepository's writes keep from then on (not a
 * trigger: a trigger gives the insert a statement journal, and SQLite then undoes only the statement that met a full
 * disk instead of the whole transaction, so a batch's other lines would be kept; test/serve/store-full.test.ts).
 */
const COUNTED = "INSERT OR REPLACE INTO meta (key, value) SELECT 'count', count(*) FROM resources";

function opened(file: string, first: Database.Database, reused: boolean, unlock: () => void, source?: string): OpenedStore {
  let db = first;
  let repo = new SqliteRepository(db);
  if (!reused) repo.beginBulk();
  return {
    get repo() {
      return repo;
    },
    file,
    reused,
    scratch: reused || file === ':memory:' ? undefined : `${file}${BUILDING}`,
    markLoaded() {
      if (!reused) db.pragma(`cache_size = -${SORT_CACHE_KIB}`);
      repo.endBulk();
      if (!reused) db.exec(COUNTED);
      if (source !== undefined) db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('source', source);
      if (file === ':memory:' || reused) {
        db.pragma('synchronous = FULL');
        return;
      }
      db.close();
      renameSync(`${file}${BUILDING}`, file);
      db = connect(file, 'serve');
      repo = new SqliteRepository(db);
    },
    count() {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'count'").raw().get() as [string] | undefined;
      return row ? Number(row[0]) : repo.count();
    },
    close() {
      if (db.open) closeCleanly(db, file);
      // A first build that did not finish (Ctrl-C, SIGTERM, a failed load): its file, hundreds of MB, goes now rather
      // than at the next start. The load's worker threads have ended (bulk-load.ts close, awaited before this), and
      // the lock, released only after, keeps any other fhirseed from building this store meanwhile.
      try {
        if (!reused && file !== ':memory:') removeBuild(`${file}${BUILDING}`);
      } catch {
        // left (a folder that no longer lets it): the next build removes it, and createRepository's line says so
      } finally {
        unlock();
      }
    },
  };
}

/**
 * Opens the database file: to `serve` (WAL, an fsync per commit) or to `build` (the rollback journal in memory, no
 * fsync, a large page cache: only for a file that is thrown away if the build does not finish).
 */
/**
 * Closes the store with its write-ahead log folded into the file, leaving only the file. libsql closes the connection
 * only once every prepared statement is garbage (the repository keeps its statements), so SQLite's own close, which
 * would checkpoint and remove the `-wal` and `-shm` files, does not run before the process ends: the log is
 * checkpointed here (TRUNCATE: copied into the file, then emptied) and, once empty, both files are removed. A log a
 * reader kept from being emptied stays; SQLite replays it at the next open, so nothing is lost either way. The files
 * are removed only while this process holds the store's lock (lock.ts): another process's connection may still use them.
 */
function closeCleanly(db: Database.Database, file: string): void {
  let emptied = false;
  if (file !== ':memory:') {
    // A read still under way on this connection (an iteration left before its end) would make the checkpoint fail.
    endReads(db);
    try {
      const [busy] = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').raw().all()[0] as number[];
      emptied = busy === 0;
    } catch {
      // not in WAL mode (a first build cut short) or busy: nothing to fold in, or left for the next open
    }
  }
  db.close();
  // Only the lock's holder: another process's open connection would lose what it wrote to a removed log.
  if (!emptied || !holdsStoreLock(file)) return;
  for (const suffix of ['-wal', '-shm']) {
    try {
      if (suffix === '-shm' || statSync(`${file}${suffix}`).size === 0) rmSync(`${file}${suffix}`, { force: true });
    } catch {
      // already gone
    }
  }
}

function connect(file: string, mode: 'serve' | 'build' = 'serve'): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw new UserError(`store ${file}: cannot open (${(error as Error).message})`);
  }
  if (mode === 'build') {
    if (file !== ':memory:') db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma(`cache_size = -${BUILD_CACHE_KIB}`);
    // The staged keys and their sort on disk: libsql keeps temporary tables in memory by default (gigabytes at
    // 10,000 members).
    db.pragma('temp_store = FILE');
    return db;
  }
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

/**
 * A damaged page that the header and meta table did not show, met when the start reads the store (SQLite's
 * SQLITE_CORRUPT or SQLITE_NOTADB): a UserError naming the file (one line, exit 2); any other error as it is.
 */
export function damagedStore(error: unknown, file: string): unknown {
  // A read's SQLite error arrives as failure.ts readFailure's 500, the SQLite error its cause.
  const sqlite = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (sqlite as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !(code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) return error;
  return new UserError(`store ${file}: damaged (${(sqlite as Error).message}); move it away or serve with --rebuild-store`);
}

type Inspection = { kind: 'foreign'; reason: string } | { kind: 'store'; schema: number; source: string | undefined };

/** Reads the header and meta table without writing anything (a foreign database stays as it is). */
function inspect(file: string): Inspection {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const id = pragmaValue(db, 'application_id');
    if (Number(id) !== APPLICATION_ID) return { kind: 'foreign', reason: 'another SQLite database' };
    const rows = db.prepare('SELECT key, value FROM meta').raw().all() as [string, string][];
    // No integrity check here: it reads the whole file (seconds at 10,000 members); a damaged page fails its request.
    const meta = new Map(rows);
    return { kind: 'store', schema: Number(meta.get('schema')), source: meta.get('source') };
  } catch (error) {
    return { kind: 'foreign', reason: (error as Error).message };
  } finally {
    db?.close();
  }
}

/** One pragma's value (libsql's `pragma(…, { simple: true })` answers the whole row). */
export function pragmaValue(db: Database.Database, name: string): unknown {
  return (db.prepare(`PRAGMA ${name}`).raw().get() as unknown[] | undefined)?.[0];
}

function removeStore(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/** An unfinished first build: `FILE.building` and its scratch files (nothing once markLoaded renamed it into place). */
function removeBuild(building: string): void {
  removeStore(building);
  removeScratch(building);
}

/** Scratch files of an unfinished first build (`FILE.building-keys-N`, see OpenedStore.scratch). */
function removeScratch(building: string): void {
  const prefix = `${basename(building)}-`;
  let names: string[];
  try {
    names = readdirSync(dirname(building));
  } catch (error) {
    // Its folder already gone (removed by whoever made it): nothing left to remove.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names) if (name.startsWith(prefix)) rmSync(join(dirname(building), name), { force: true });
}

/** The data files a store was loaded from: names, sizes and modification times (the manifest among them). */
function fingerprint(dir: string | undefined, files: string[]): string {
  const hash = createHash('sha256').update(`fhirseed-store ${SCHEMA_VERSION}\n`);
  for (const file of [...files].sort()) {
    const stat = statSync(file);
    hash.update(`${dir ? relative(dir, file) : file}\t${stat.size}\t${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}
