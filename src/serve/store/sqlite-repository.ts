import {
  OperationOutcomeError,
  badRequest,
  deepClone,
  generateId,
  getSearchParameters,
  isResourceType,
  matchesSearchRequest,
  notFound,
  preconditionFailed,
  stringify,
  type SearchRequest,
} from '@medplum/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type Database from 'libsql';
import { AtomicMemoryRepository, sameContent, type FilterQuery } from '../router.js';
import { storeFailure } from './failure.js';
import { indexKeys, referenceKey, tokenKey } from './keys.js';
import { rememberJson } from './raw-json.js';

type Db = Database.Database;
type Statement = Database.Statement;

/** Parsed current versions kept in memory (directory resources that every include asks for, a member's page). */
const CACHE_SIZE = 5_000;
const MAX_SEARCH_STATEMENTS = 500;

/**
 * The sandbox repository on SQLite (libsql): each current resource once as compact JSON in `resources`
 * (`seq` is the stable paging order: insertion order, kept by updates), earlier versions in `history`, and
 * `idx` (see keys.ts) holding reference and token keys that narrow searches to candidates, which medplum's
 * matcher then decides exactly. Extends AtomicMemoryRepository so that the router, runSearch, transactions,
 * $everything and auth use it unchanged; every method of the memory version is replaced (its maps stay empty).
 * Writes outside a transaction commit one by one; `withTransaction` is one SQLite transaction (rolled back when
 * the callback throws, so a crash mid-transaction leaves nothing of it). Errors of SQLite (a full disk) reach the
 * caller as thrown errors after the rollback.
 */
export class SqliteRepository extends AtomicMemoryRepository {
  private readonly statements: Record<'get' | 'has' | 'insert' | 'update' | 'remove' | 'all' | 'keyAdd' | 'keyRemove' | 'historyAdd' | 'history' | 'count' | 'types' | 'savepoint' | 'release' | 'rollbackTo', Statement>;
  /** Prepared search statements by their SQL (one per shape: how many keys in each set). */
  private readonly searches = new Map<string, Statement>();
  private readonly knownTypes: Set<string>;
  private readonly cache = new Map<string, Resource>();
  override readonly narrowsReferences = true;
  private txDepth = 0;
  /** The error that made SQLite end the open transaction on its own (see atomically). */
  private lost: unknown;
  /** The first build's statements, from beginBulk to endBulk. */
  private bulk: { insert: Statement; keyAdd: Statement } | undefined;

  constructor(readonly db: Db) {
    super();
    const s = (sql: string) => db.prepare(sql);
    this.statements = {
      get: s('SELECT seq, json FROM resources WHERE type = ? AND id = ?').raw(),
      has: s('SELECT 1 FROM resources WHERE type = ? AND id = ?').raw(),
      insert: s('INSERT INTO resources (type, id, json) VALUES (?, ?, ?)'),
      update: s('UPDATE resources SET json = ? WHERE seq = ?'),
      remove: s('DELETE FROM resources WHERE seq = ?'),
      all: s('SELECT json FROM resources WHERE type = ? ORDER BY seq').raw(),
      // A resource's keys as one JSON array: one call into SQLite, which reads it (twice the speed of binding rows).
      keyAdd: s('INSERT OR IGNORE INTO idx (k, seq) SELECT value, ? FROM json_each(?)'),
      keyRemove: s('DELETE FROM idx WHERE seq = ? AND k IN (SELECT value FROM json_each(?))'),
      historyAdd: s('INSERT INTO history (type, id, json) VALUES (?, ?, ?)'),
      history: s('SELECT json FROM history WHERE type = ? AND id = ? ORDER BY hid').raw(),
      count: s('SELECT count(*) FROM resources').raw(),
      types: s('SELECT DISTINCT type FROM resources').raw(),
      savepoint: s('SAVEPOINT write'),
      release: s('RELEASE write'),
      rollbackTo: s('ROLLBACK TO write'),
    };
    this.knownTypes = new Set((this.statements.types.all() as [string][]).map(([t]) => t));
  }

  /** How many current resources the store holds. */
  count(): number {
    return (this.statements.count.get() as [number])[0];
  }

  override has(type: string, id: string): boolean {
    return this.cache.has(`${type}/${id}`) || this.statements.has.get(type, id) !== undefined;
  }

  override get(type: string, id: string): Resource | undefined {
    const key = `${type}/${id}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const row = this.statements.get.get(type, id) as [number, string] | undefined;
    if (!row) return undefined;
    const resource = rememberJson(JSON.parse(row[1]) as Resource, row[1]);
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, resource);
    return resource;
  }

  override *all(type: string): Iterable<Resource> {
    for (const [json] of this.statements.all.iterate(type) as Iterable<[string]>) yield rememberJson(JSON.parse(json) as Resource, json);
  }

  override types(): string[] {
    return [...this.knownTypes];
  }

  /**
   * The resources of `type` that may match `filters` (a superset, in stable order): by `_id`, or holding a key of
   * each plain reference and token filter (reference keys drive the query); every resource of the type when no
   * filter narrows.
   */
  override candidates(type: string, filters: FilterQuery): Iterable<Resource> {
    const params = getSearchParameters(type) ?? {};
    const sets: { kind: 'id' | 'r' | 't'; keys: string[] }[] = [];
    for (const [name, value] of Object.entries(filters)) {
      if (name.includes(':')) continue;
      const kind = name === '_id' ? 'id' : params[name]?.type === 'reference' ? 'r' : params[name]?.type === 'token' ? 't' : undefined;
      if (!kind) continue;
      for (const one of Array.isArray(value) ? value : [value]) {
        const alternatives = one.split(',');
        const keys = alternatives.map((v) => (kind === 'id' ? v : kind === 'r' ? referenceKey(type, v) : tokenKey(type, v)));
        if (keys.every((k): k is string => Boolean(k))) sets.push({ kind, keys });
      }
    }
    const ids = sets.find((s) => s.kind === 'id');
    if (ids) return ids.keys.flatMap((id) => this.get(type, id) ?? []);
    if (!sets.length) return this.all(type);
    // Reference keys (a patient's few hundred resources) first; every other set is checked on those rows.
    return this.byKeys([...sets.filter((s) => s.kind === 'r'), ...sets.filter((s) => s.kind === 't')].map((s) => s.keys));
  }

  override referring(type: string, reference: string): Iterable<Resource> {
    const key = referenceKey(type, reference);
    return key ? this.byKeys([[key]]) : this.all(type);
  }

  /** Rows holding one key of every set: the first set drives (through the index), the others are checked per row. */
  private byKeys(sets: string[][]): Resource[] {
    const marks = (keys: string[]) => keys.map(() => '?').join(',');
    const [first = [], ...rest] = sets;
    const checks = rest.map((keys) => ` AND EXISTS (SELECT 1 FROM idx i WHERE i.k IN (${marks(keys)}) AND i.seq = resources.seq)`).join('');
    const sql = `SELECT json FROM resources WHERE seq IN (SELECT seq FROM idx WHERE k IN (${marks(first)}))${checks} ORDER BY seq`;
    let statement = this.searches.get(sql);
    if (!statement) {
      if (this.searches.size >= MAX_SEARCH_STATEMENTS) this.searches.clear();
      statement = this.db.prepare(sql).raw();
      this.searches.set(sql, statement);
    }
    const rows = statement.all(...sets.flat()) as [string][];
    return rows.map(([json]) => rememberJson(JSON.parse(json) as Resource, json));
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
      keyAdd: this.db.prepare('INSERT INTO temp.idx_load (k, seq) SELECT value, ? FROM json_each(?)'),
    };
  }

  /** Ends the first build: the staged keys into `idx` in key order (keys of versions replaced during the build stay: a superset). */
  endBulk(): void {
    if (!this.bulk) return;
    this.bulk = undefined;
    this.db.exec('INSERT OR IGNORE INTO idx (k, seq) SELECT k, seq FROM temp.idx_load ORDER BY k, seq; DROP TABLE temp.idx_load');
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
    return this.append(bulk, resource.resourceType, resource.id, stringify(version), JSON.stringify(indexKeys(version))) > 0;
  }

  /**
   * Appends a version made off this thread (bulk-text.ts: `text` is its stored text, `keys` its index keys as a JSON
   * array) during the first build, inside a transaction, as a preloaded resource would be; `type` must be a FHIR
   * resource type. False, writing nothing, when the id is stored already (the caller then takes preload's ordinary
   * path); an SQLite error fails the open transaction as a whole. Throws when the store is not being built.
   */
  appendVersion(type: string, id: string, text: string, keys: string): boolean {
    if (!this.bulk || this.txDepth === 0) throw new Error('appendVersion: only inside a transaction of the first build');
    return this.append(this.bulk, type, id, text, keys) > 0;
  }

  /**
   * As appendVersion, with the keys staged by the caller instead (bulk-load.ts: in its workers' own files, merged
   * into `idx` before endBulk, leaving out bulkReplaced()): the new row's `seq`, or 0, writing nothing, when the id is
   * stored already.
   */
  appendText(type: string, id: string, text: string): number {
    if (!this.bulk || this.txDepth === 0) throw new Error('appendText: only inside a transaction of the first build');
    return this.append(this.bulk, type, id, text, undefined);
  }

  /**
   * The seqs given a new version or deleted so far in the first build, whose staged keys are an old version's: none
   * are told apart yet (such keys stay in `idx` with the current ones, a superset).
   */
  bulkReplaced(): number[] {
    return [];
  }

  private append(bulk: { insert: Statement; keyAdd: Statement }, type: string, id: string, text: string, keys: string | undefined): number {
    if (this.lost) throw this.lost;
    let seq: number;
    try {
      const inserted = bulk.insert.run(type, id, text);
      if (!inserted.changes) return 0;
      seq = Number(inserted.lastInsertRowid);
      if (keys !== undefined) bulk.keyAdd.run(seq, keys);
    } catch (error) {
      this.lost = storeFailure(error);
      throw this.lost;
    }
    this.knownTypes.add(type);
    return seq;
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
      if (!stored) throw new OperationOutcomeError(notFound);
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

  override async readResource<T extends Resource>(resourceType: string, id: string): Promise<T & { id: string }> {
    const resource = this.get(resourceType, id);
    if (!resource) throw new OperationOutcomeError(notFound);
    return deepClone(resource) as T & { id: string };
  }

  override async readHistory<T extends Resource>(resourceType: string, id: string): Promise<Bundle<T>> {
    const current = await this.readResource<T>(resourceType, id);
    const earlier = (this.statements.history.all(resourceType, id) as [string][]).map(([json]) => JSON.parse(json) as T);
    const versions = [...earlier, current].reverse();
    return { resourceType: 'Bundle', type: 'history', entry: versions.map((resource) => ({ resource })) };
  }

  override async readVersion<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<T & { id: string }> {
    const history = await this.readHistory<T>(resourceType, id);
    const version = history.entry?.find((e) => e.resource?.meta?.versionId === versionId)?.resource;
    if (!version) throw new OperationOutcomeError(notFound);
    return version as T & { id: string };
  }

  /** medplum's search contract (conditional create/update/delete use it), narrowed by the same keys as runSearch. */
  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<T & { id: string }>> {
    const filters: FilterQuery = {};
    for (const f of request.filters ?? []) if (f.operator === 'eq' && !filters[f.code]) filters[f.code] = f.value;
    const matches = [...this.candidates(request.resourceType, filters)].filter((r) => matchesSearchRequest(r, request as SearchRequest));
    const offset = request.offset ?? 0;
    const page = matches.slice(offset, request.count === undefined ? undefined : offset + request.count);
    return { resourceType: 'Bundle', type: 'searchset', total: matches.length, ...(page.length ? { entry: page.map((resource) => ({ resource: resource as T & { id: string } })) } : {}) };
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    const row = this.statements.get.get(resourceType, id) as [number, string] | undefined;
    if (!row) throw new OperationOutcomeError(notFound);
    this.atomically(() => {
      const [seq, json] = row;
      this.statements.historyAdd.run(resourceType, id, json);
      this.statements.keyRemove.run(seq, JSON.stringify(indexKeys(JSON.parse(json) as Resource)));
      this.statements.remove.run(seq);
    });
    this.cache.delete(`${resourceType}/${id}`);
  }

  override clear(): void {
    this.db.exec(`DELETE FROM resources; DELETE FROM history; DELETE FROM idx;${this.bulk ? ' DELETE FROM temp.idx_load;' : ''}`);
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
      this.statements.historyAdd.run(type, id, row[1]);
      const fresh = new Set(keys);
      const gone = indexKeys(JSON.parse(row[1]) as Resource).filter((key) => !fresh.has(key));
      if (gone.length) this.statements.keyRemove.run(seq, JSON.stringify(gone));
      this.statements.update.run(json, seq);
    } else {
      seq = Number(this.statements.insert.run(type, id, json).lastInsertRowid);
    }
    this.statements.keyAdd.run(seq, JSON.stringify(keys));
    this.knownTypes.add(type);
    this.cache.delete(`${type}/${id}`);
  }
}
