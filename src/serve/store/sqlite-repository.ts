import {
  OperationOutcomeError,
  badRequest,
  deepClone,
  generateId,
  isResourceType,
  preconditionFailed,
  stringify,
} from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { AtomicMemoryRepository, sameContent } from '../router.js';
import { dateRowsJson } from './dates.js';
import { deletedAlready, missingResource, nothingToDelete, tombstone } from '../history.js';
import { storeFailure } from './failure.js';
import { indexKeys } from './keys.js';
import { SqliteReads, type Db, type Statement } from './sqlite-reads.js';

/**
 * The sandbox repository on SQLite (libsql): each current resource once as compact JSON in `resources`
 * (`seq` is the stable paging order: insertion order, kept by updates), earlier versions in `history`, `idx` (see
 * keys.ts) holding reference and token keys and `dates` (dates.ts) the ranges of the date parameters, which narrow
 * searches to candidates (sqlite-reads.ts, the read half) that medplum's matcher then decides exactly. Extends
 * AtomicMemoryRepository so that the router, runSearch, transactions, $everything and auth use it unchanged; every
 * method of the memory version is replaced (its maps stay empty).
 * Writes outside a transaction commit one by one; `withTransaction` is one SQLite transaction (rolled back when
 * the callback throws, so a crash mid-transaction leaves nothing of it). Errors of SQLite (a full disk) reach the
 * caller as thrown errors after the rollback.
 */
export class SqliteRepository extends SqliteReads {
  private readonly statements: Record<'get' | 'insert' | 'update' | 'remove' | 'keyAdd' | 'keyRemove' | 'datesAdd' | 'refsAdd' | 'datesRemove' | 'refsRemove' | 'historyAdd' | 'counted' | 'savepoint' | 'release' | 'rollbackTo', Statement>;
  private txDepth = 0;
  /** The error that made SQLite end the open transaction on its own (see atomically). */
  private lost: unknown;
  /** The first build's statements, from beginBulk to endBulk, and the seqs given a new version during it. */
  private bulk: { insert: Statement; insertAt: Statement; keyAdd: Statement; datesAt: Statement; refsAt: Statement; replaced: Set<number> } | undefined;

  constructor(db: Db) {
    super(db);
    const s = (sql: string) => db.prepare(sql);
    this.statements = {
      get: s('SELECT seq, json FROM resources WHERE type = ? AND id = ?').raw(),
      insert: s('INSERT INTO resources (type, id, json) VALUES (?, ?, ?)'),
      update: s('UPDATE resources SET json = ? WHERE seq = ?'),
      remove: s('DELETE FROM resources WHERE seq = ?'),
      // A resource's keys as one JSON array: one call into SQLite, which reads it (twice the speed of binding rows).
      keyAdd: s('INSERT OR IGNORE INTO idx (k, seq) SELECT value, ? FROM json_each(?)'),
      keyRemove: s('DELETE FROM idx WHERE seq = ? AND k IN (SELECT value FROM json_each(?))'),
      // A resource's date rows (dates.ts dateRowsJson), likewise one JSON array.
      datesAdd: s("INSERT OR IGNORE INTO dates (seq, p, low, high) SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?) WHERE json_type(value, '$[2]') = 'text'"),
      // Its reference rows (a number third: the place), for the types that have them (date-plan.ts INCLUDE_ROW_TYPES).
      refsAdd: s("INSERT OR IGNORE INTO refs (seq, p, n, ref) SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[2]'), json_extract(value, '$[1]') FROM json_each(?) WHERE json_type(value, '$[2]') = 'integer'"),
      datesRemove: s('DELETE FROM dates WHERE seq = ?'),
      refsRemove: s('DELETE FROM refs WHERE seq = ?'),
      historyAdd: s('INSERT INTO history (type, id, json) VALUES (?, ?, ?)'),
      // The store's count of current resources (open.ts: written at the end of the first build), kept by every write.
      counted: s("UPDATE meta SET value = CAST(value AS INTEGER) + CAST(? AS INTEGER) WHERE key = 'count'"),
      savepoint: s('SAVEPOINT write'),
      release: s('RELEASE write'),
      rollbackTo: s('ROLLBACK TO write'),
    };
  }

  override async createResource<T extends Resource>(resource: T): Promise<T & { id: string }> {
    if (!isResourceType(resource.resourceType)) {
      throw new OperationOutcomeError(badRequest(`unknown resource type '${String(resource.resourceType)}'`, 'resourceType'));
    }
    const stored = this.store(JSON.parse(stringify(resource)) as T);
    return deepClone(stored);
  }

  /**
   * The first build of an empty store: until endBulk, a resource preloaded inside a transaction is appended without
   * looking for a stored version (an id met again takes the ordinary path) and without a savepoint of its own (an
   * SQLite error fails the whole transaction instead), and its keys go to a temporary table that endBulk sorts into
   * `idx` at once: inserting them one by one in key order is what made the build slow (a B-tree insert each, at
   * random places).
   */
  beginBulk(): void {
    this.db.exec('CREATE TEMP TABLE idx_load (k TEXT NOT NULL, seq INTEGER NOT NULL)');
    this.bulk = {
      insert: this.db.prepare('INSERT INTO resources (type, id, json) VALUES (?, ?, ?) ON CONFLICT (type, id) DO NOTHING'),
      insertAt: this.db.prepare('INSERT INTO resources (seq, type, id, json) VALUES (?, ?, ?, ?) ON CONFLICT (type, id) DO NOTHING'),
      keyAdd: this.db.prepare('INSERT INTO temp.idx_load (k, seq) SELECT value, ? FROM json_each(?)'),
      // appendRows: rows that carry their seq, many resources' in one array.
      datesAt: this.db.prepare("INSERT OR IGNORE INTO dates (seq, p, low, high) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]') FROM json_each(?)"),
      refsAt: this.db.prepare("INSERT OR IGNORE INTO refs (seq, p, n, ref) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]') FROM json_each(?)"),
      replaced: new Set(),
    };
  }

  /**
   * Ends the first build: the staged keys into `idx` in key order, but for the resources given a new version during
   * the build (an id met again), whose current keys write() put in `idx` itself: their staged keys are the replaced
   * version's, and an index key decides a search exactly.
   */
  endBulk(): void {
    if (!this.bulk) return;
    const replaced = [...this.bulk.replaced];
    this.bulk = undefined;
    // The filter costs a look-up per staged key: only when some resource was given a new version.
    const keep = replaced.length ? ' WHERE seq NOT IN (SELECT value FROM json_each(?))' : '';
    this.db.prepare(`INSERT OR IGNORE INTO idx (k, seq) SELECT k, seq FROM temp.idx_load${keep} ORDER BY k, seq`).run(...(replaced.length ? [JSON.stringify(replaced)] : []));
    this.db.exec('DROP TABLE temp.idx_load');
  }

  /**
   * As AtomicMemoryRepository's preload (same stored result), without its two deep copies: the load stores
   * every resource through here.
   */
  override async preload(resource: Resource): Promise<void> {
    if (!isResourceType(resource.resourceType)) {
      throw new OperationOutcomeError(badRequest(`unknown resource type '${String(resource.resourceType)}'`, 'resourceType'));
    }
    if (this.bulk && this.txDepth > 0 && resource.id && this.appended(resource as Resource & { id: string }, this.bulk)) return;
    const stored = resource.id ? this.get(resource.resourceType, resource.id) : undefined;
    if (stored && sameContent(stored, resource)) return;
    const copy = JSON.parse(stringify(resource)) as Resource;
    if (copy.meta?.versionId) delete copy.meta.versionId;
    this.store(copy);
  }

  /**
   * Appends a preloaded resource during the first build (see beginBulk): the stored text as preload's copy would
   * be (medplum's stringify, a new versionId, lastUpdated kept or now). False, writing nothing, when the id is
   * stored already. An SQLite error fails the open transaction as a whole.
   */
  private appended(resource: Resource & { id: string }, bulk: { insert: Statement; keyAdd: Statement }): boolean {
    const { versionId: _replaced, ...meta } = resource.meta ?? {};
    const version = { ...resource, meta: { ...meta, versionId: generateId(), lastUpdated: meta.lastUpdated || new Date().toISOString() } } as Resource;
    return this.append(bulk, resource.resourceType, resource.id, stringify(version), JSON.stringify(indexKeys(version)), dateRowsJson(version, this.datePlan)) > 0;
  }

  /**
   * Appends a version made off this thread (bulk-text.ts: `text` is its stored text, `keys` its index keys as a JSON
   * array, `dates` its date rows as dates.ts's dateRowsJson makes them under this store's datePlan, or undefined to
   * make them here from `text`) during the first build, inside a transaction, as a preloaded resource would be; `type`
   * must be a FHIR resource type. False, writing nothing, when the id is stored already (the caller then takes preload's ordinary
   * path); an SQLite error fails the open transaction as a whole. Throws when the store is not being built.
   */
  appendVersion(type: string, id: string, text: string, keys: string, dates?: string): boolean {
    if (!this.bulk || this.txDepth === 0) throw new Error('appendVersion: only inside a transaction of the first build');
    return this.append(this.bulk, type, id, text, keys, dates) > 0;
  }

  /**
   * As appendVersion, with the keys staged by the caller instead (bulk-load.ts: in its workers' own files, merged
   * into `idx` before endBulk, leaving out bulkReplaced()): the new row's `seq`, or 0, writing nothing, when the id is
   * stored already. `dates` as for appendVersion (made from `text` when undefined: a parse on this thread). `seq`,
   * when given, is the row's seq (the caller numbered the row ahead: it must be above lastSeq(), else SQLite's
   * constraint error fails the transaction, or the paging order would not be the order of appending).
   */
  appendText(type: string, id: string, text: string, dates?: string, seq?: number): number {
    if (!this.bulk || this.txDepth === 0) throw new Error('appendText: only inside a transaction of the first build');
    return this.append(this.bulk, type, id, text, undefined, dates, seq);
  }

  /**
   * Stores date and reference rows made off this thread for rows appendText appended (given '[]' as their `dates`)
   * during the first build, inside its transaction: `dates` a JSON array of `[seq, p, low, high]`, `refs` one of
   * `[seq, p, n, ref]` (bulk-text.ts seqRows), many resources' at once — one statement per table instead of one per
   * resource. The caller stores a resource's rows before anything else writes that resource again. Nothing when
   * SQLite already ended the transaction (it fails as a whole); an SQLite error fails the open transaction as a
   * whole. Throws when the store is not being built.
   */
  appendRows(dates: string, refs: string): void {
    if (!this.bulk || this.txDepth === 0) throw new Error('appendRows: only inside a transaction of the first build');
    if (this.lost) return;
    try {
      if (dates !== '[]') this.bulk.datesAt.run(dates);
      if (refs !== '[]') this.bulk.refsAt.run(refs);
    } catch (error) {
      this.lost = storeFailure(error);
      throw this.lost;
    }
  }

  /**
   * The highest seq the store has given (SQLite's AUTOINCREMENT record, which counts deleted rows too), 0 when none:
   * a row appended with a seq above it keeps the order of appending.
   */
  lastSeq(): number {
    const given = this.db.prepare("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'resources'), 0), coalesce((SELECT max(seq) FROM resources), 0))").raw().get() as [number];
    return Number(given[0]);
  }

  /** The seqs given a new version or deleted so far in the first build: keys staged for them are an old version's. */
  bulkReplaced(): number[] {
    return [...(this.bulk?.replaced ?? [])];
  }

  private append(bulk: { insert: Statement; insertAt?: Statement; keyAdd: Statement }, type: string, id: string, text: string, keys: string | undefined, dates: string | undefined, at?: number): number {
    if (this.lost) throw this.lost;
    let seq: number;
    try {
      const inserted = at === undefined ? bulk.insert.run(type, id, text) : bulk.insertAt!.run(at, type, id, text);
      if (!inserted.changes) return 0;
      seq = at ?? Number(inserted.lastInsertRowid);
      if (keys !== undefined) bulk.keyAdd.run(seq, keys);
      // Date rows go straight to `dates` (seqs ascend: appended in order); computed from the text when not given.
      const rows = dates ?? (this.planned(type) ? dateRowsJson(JSON.parse(text) as Resource, this.datePlan) : '[]');
      this.addRows(type, seq, rows);
    } catch (error) {
      this.lost = storeFailure(error);
      throw this.lost;
    }
    this.knownTypes.add(type);
    return seq;
  }

  /** Stores a resource's rows (dates.ts dateRowsJson): date rows, and reference rows for a type that has them. */
  private addRows(type: string, seq: number, rows: string): void {
    if (rows === '[]') return;
    this.statements.datesAdd.run(seq, rows);
    if (this.referenceTypes.has(type)) this.statements.refsAdd.run(seq, rows);
  }

  private removeRows(type: string, seq: number): void {
    this.statements.datesRemove.run(seq);
    if (this.referenceTypes.has(type)) this.statements.refsRemove.run(seq);
  }

  /** Whether the date plan has parameters of `type` (else its resources have no date rows). */
  private planned(type: string): boolean {
    return this.datePlan[type] !== undefined;
  }

  /** Gives a new version (a plain copy of the client's) its id, versionId and lastUpdated where missing, and stores it. */
  private store<T extends Resource>(stored: T): T & { id: string } {
    stored.id ||= this.generateId();
    stored.meta ??= {};
    stored.meta.versionId ||= generateId();
    stored.meta.lastUpdated ||= new Date().toISOString();
    this.atomically(() => this.write(stored as Resource & { id: string }));
    return stored as T & { id: string };
  }

  override async updateResource<T extends Resource>(resource: T, options?: Parameters<AtomicMemoryRepository['updateResource']>[1]): Promise<T & { id: string }> {
    if (!resource.id) throw new OperationOutcomeError(badRequest('Missing id'));
    const stored = this.get(resource.resourceType, resource.id);
    if (options?.ifMatch) {
      if (!stored) throw missingResource(resource.resourceType, resource.id, this.versions(resource.resourceType, resource.id));
      if (stored.meta?.versionId !== options.ifMatch) throw new OperationOutcomeError(preconditionFailed);
    } else if (stored && sameContent(stored, resource)) {
      return deepClone(stored) as T & { id: string };
    }
    const copy = deepClone(resource);
    if (copy.meta) {
      delete copy.meta.versionId;
      delete copy.meta.lastUpdated;
    }
    return this.createResource(copy);
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    const row = this.statements.get.get(resourceType, id) as [number, string] | undefined;
    if (!row) {
      // Deleted already (a tombstone last, or versions left by a store made before they were kept): nothing to do.
      if (deletedAlready(this.versions(resourceType, id))) return;
      throw nothingToDelete(resourceType, id);
    }
    this.atomically(() => {
      const [seq, json] = row;
      this.bulk?.replaced.add(seq);
      this.statements.historyAdd.run(resourceType, id, json);
      this.statements.historyAdd.run(resourceType, id, JSON.stringify(tombstone(resourceType, id)));
      this.statements.keyRemove.run(seq, JSON.stringify(indexKeys(JSON.parse(json) as Resource)));
      this.removeRows(resourceType, seq);
      this.statements.remove.run(seq);
      this.statements.counted.run(-1);
    });
    this.cache.delete(`${resourceType}/${id}`);
  }

  override clear(): void {
    this.db.exec(`DELETE FROM resources; DELETE FROM history; DELETE FROM idx; DELETE FROM dates; DELETE FROM refs; UPDATE meta SET value = 0 WHERE key = 'count';${this.bulk ? ' DELETE FROM temp.idx_load;' : ''}`);
    this.cache.clear();
    this.knownTypes.clear();
  }

  override async withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    const outermost = this.txDepth === 0;
    if (outermost) this.db.exec('BEGIN IMMEDIATE');
    this.txDepth++;
    try {
      const result = await callback(undefined);
      if (outermost) {
        // A write that SQLite refused may have ended the whole transaction (SQLITE_FULL does): nothing commits.
        if (this.lost) throw this.lost;
        this.db.exec('COMMIT');
      }
      return result;
    } catch (error) {
      if (outermost) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        this.cache.clear();
      }
      throw storeFailure(error);
    } finally {
      this.txDepth--;
      if (outermost) this.lost = undefined;
    }
  }

  /**
   * One write as its own transaction, or as a savepoint of the open one (a failed write leaves nothing of itself).
   * When SQLite rolled the open transaction back itself, every later write of it fails with the same error.
   */
  private atomically(write: () => void): void {
    if (this.lost) throw this.lost;
    const nested = this.txDepth > 0;
    if (nested) this.statements.savepoint.run();
    else this.db.exec('BEGIN IMMEDIATE');
    try {
      write();
      if (nested) this.statements.release.run();
      else this.db.exec('COMMIT');
    } catch (error) {
      const failure = storeFailure(error);
      if (this.db.inTransaction) {
        if (nested) {
          this.statements.rollbackTo.run();
          this.statements.release.run();
        } else {
          this.db.exec('ROLLBACK');
        }
      } else if (nested) {
        this.lost = failure;
      }
      this.cache.clear();
      throw failure;
    }
  }

  /** Stores a finished version (id, versionId, lastUpdated set): the earlier one, if any, moves to history. */
  private write(resource: Resource & { id: string }): void {
    const { resourceType: type, id } = resource;
    const json = JSON.stringify(resource);
    const keys = indexKeys(resource);
    const row = this.statements.get.get(type, id) as [number, string] | undefined;
    let seq: number;
    if (row) {
      seq = row[0];
      this.bulk?.replaced.add(seq);
      this.statements.historyAdd.run(type, id, row[1]);
      const fresh = new Set(keys);
      const gone = indexKeys(JSON.parse(row[1]) as Resource).filter((key) => !fresh.has(key));
      if (gone.length) this.statements.keyRemove.run(seq, JSON.stringify(gone));
      this.removeRows(type, seq);
      this.statements.update.run(json, seq);
    } else {
      seq = Number(this.statements.insert.run(type, id, json).lastInsertRowid);
      this.statements.counted.run(1);
    }
    this.statements.keyAdd.run(seq, JSON.stringify(keys));
    this.addRows(type, seq, dateRowsJson(resource, this.datePlan));
    this.knownTypes.add(type);
    this.cache.delete(`${type}/${id}`);
  }
}
