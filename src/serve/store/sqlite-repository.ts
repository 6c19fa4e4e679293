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
import { parameterPaths, type ParameterPaths } from './decide.js';
import { indexKeys, isReferenceKey, referenceKey, referencePrefix, termsCover, tokenKey, tokenPrefix } from './keys.js';
import { lazyResource, rememberJson } from './raw-json.js';

type Db = Database.Database;
type Statement = Database.Statement;

/** Parsed current versions kept in memory (directory resources that every include asks for, a member's page). */
const CACHE_SIZE = 5_000;
const MAX_SEARCH_STATEMENTS = 500;
/** FHIRPath that computes a value instead of reading leaves (store-search.test.ts found `Patient?deceased=false`). */
const COMPUTED = /\b(exists|empty|not|iif|count)\(|\s(and|or|xor|implies)\s|!=|[<>]/;

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
  private readonly statements: Record<'get' | 'has' | 'insert' | 'update' | 'remove' | 'all' | 'keyAdd' | 'keyRemove' | 'historyAdd' | 'history' | 'count' | 'counted' | 'types' | 'savepoint' | 'release' | 'rollbackTo' | 'rows', Statement>;
  /** Prepared search statements by their SQL (one per shape: how many keys in each set). */
  private readonly searches = new Map<string, Statement>();
  private readonly knownTypes: Set<string>;
  private readonly cache = new Map<string, Resource>();
  override readonly narrowsReferences = true;
  private txDepth = 0;
  /** The error that made SQLite end the open transaction on its own (see atomically). */
  private lost: unknown;
  /** The first build's statements, from beginBulk to endBulk, and the seqs given a new version during it. */
  private bulk: { insert: Statement; keyAdd: Statement; replaced: Set<number> } | undefined;

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
      // The store's count of current resources (open.ts: written at the end of the first build), kept by every write.
      counted: s("UPDATE meta SET value = CAST(value AS INTEGER) + CAST(? AS INTEGER) WHERE key = 'count'"),
      // The types by skipping through the (type, id) index, a few seeks each: DISTINCT read all of it (seconds at 10,000 members).
      types: s('WITH RECURSIVE t(type) AS (SELECT min(type) FROM resources UNION ALL SELECT (SELECT min(type) FROM resources WHERE type > t.type) FROM t WHERE t.type IS NOT NULL) SELECT type FROM t WHERE type IS NOT NULL').raw(),
      savepoint: s('SAVEPOINT write'),
      release: s('RELEASE write'),
      rollbackTo: s('ROLLBACK TO write'),
      rows: s('SELECT r.type, r.id, r.json FROM json_each(?) j JOIN resources r ON r.seq = j.value ORDER BY j.key').raw(),
    };
    this.knownTypes = new Set((this.statements.types.all() as [string][]).map(([t]) => t));
  }

  /**
   * Drops what this connection keeps of the store besides SQLite's pages — parsed resources, the known types — for a
   * read-only connection (read-worker.ts) that another one has written through since.
   */
  forgetCached(): void {
    this.cache.clear();
    this.knownTypes.clear();
    for (const [type] of this.statements.types.all() as [string][]) this.knownTypes.add(type);
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
   * The resources of `type` that may match `filters` (a superset, in stable order): those the index narrows to (see
   * {@link decide}; token codes compared ignoring case, as medplum's matcher does), or every resource of the type when
   * nothing narrows.
   */
  override candidates(type: string, filters: FilterQuery): Iterable<Resource> {
    const decided = this.decide(type, filters, false);
    return decided ? this.rows(decided.seqs) : this.all(type);
  }

  override referring(type: string, reference: string): Iterable<Resource> {
    const prefix = referencePrefix(type, reference);
    return prefix ? this.rows(this.seqs({ exact: [], prefixes: [prefix] }, [])) : this.all(type);
  }

  /**
   * What the index says about a search of `type` with `filters` (plain filters of the kinds runSearch passes: bare
   * ids qualified to `Type/id`, each value one string of comma-separated alternatives, several values all required):
   * `seqs`, in stable order, the resources that match every filter the keys decide exactly — `_id`, a reference
   * parameter whose paths decide.ts reads, given `Type/id` values, and with `exactCase` a token parameter it reads,
   * given codes without a system — and hold a key of the first other reference or token filter; `rest`, the filters
   * left for medplum's matcher (and the exact token check). Undefined when no filter narrows (every resource of the
   * type may match). Modifiers (`code:text`), dates, strings and quantities are always left.
   */
  decide(type: string, filters: FilterQuery, exactCase = true): { seqs: number[]; rest: FilterQuery } | undefined {
    const params = getSearchParameters(type) ?? {};
    const rest: FilterQuery = {};
    let ids: Set<string> | undefined;
    const exact: string[][] = [];
    const loose: { kind: 'r' | 't'; prefixes: string[] }[] = [];
    for (const [name, value] of Object.entries(filters)) {
      const values = Array.isArray(value) ? value : [value];
      // A token parameter reading elements that have no term keys (keys.ts termsCover) is left to the matcher.
      const token = params[name]?.type === 'token' && termsCover(type, params[name]?.expression);
      const kind = name.includes(':') ? undefined : name === '_id' ? 'id' : params[name]?.type === 'reference' ? 'r' : token ? 't' : undefined;
      if (kind === 'id') {
        for (const one of values) {
          const wanted = new Set(one.split(','));
          ids = new Set(ids ? [...ids].filter((id) => wanted.has(id)) : wanted);
        }
        continue;
      }
      const paths = kind && (kind === 'r' || exactCase) ? parameterPaths(type, name) : undefined;
      const left: string[] = [];
      for (const one of values) {
        const alternatives = one.split(',');
        const keys = paths ? exactKeys(type, paths, alternatives) : undefined;
        if (keys) {
          exact.push(keys);
          continue;
        }
        left.push(one);
        // A token computed by its expression (`Patient.deceased.exists() and …` gives `false`) is no leaf: not narrowed.
        const computed = kind === 't' && COMPUTED.test(params[name]?.expression ?? '');
        const prefixes = alternatives.map((v) => (kind === 'r' ? referencePrefix(type, v) : kind === 't' && !computed ? tokenPrefix(type, v) : undefined));
        if (kind && prefixes.every((p): p is string => Boolean(p))) loose.push({ kind, prefixes });
      }
      if (left.length) rest[name] = Array.isArray(value) ? left : left[0]!;
    }
    if (ids) return { seqs: this.seqs({ type, ids: [...ids] }, exact), rest };
    // The driver: an exact reference set (a patient's few hundred resources) before any looser one, tokens last.
    const driver =
      exact.find((keys) => keys.some((k) => isReferenceKey(type, k))) ??
      loose.find((s) => s.kind === 'r') ??
      exact[0] ??
      loose[0];
    if (!driver) return undefined;
    const checks = exact.filter((keys) => keys !== driver);
    return { seqs: this.seqs(Array.isArray(driver) ? { exact: driver, prefixes: [] } : { exact: [], prefixes: driver.prefixes }, checks), rest };
  }

  /**
   * The seqs (in order) of the resources the driver finds — ids of the type, or exact keys and key prefixes — that
   * also hold one key of every check set.
   */
  private seqs(driver: { type: string; ids: string[] } | { exact: string[]; prefixes: string[] }, checks: string[][]): number[] {
    if ('ids' in driver ? !driver.ids.length : !driver.exact.length && !driver.prefixes.length) return [];
    if (checks.some((keys) => !keys.length)) return [];
    const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');
    const args: unknown[] = [];
    let from: string;
    if ('ids' in driver) {
      from = `SELECT seq FROM resources WHERE type = ? AND id IN (${marks(driver.ids.length)})`;
      args.push(driver.type, ...driver.ids);
    } else {
      const parts = driver.exact.length ? [`SELECT seq FROM idx WHERE k IN (${marks(driver.exact.length)})`] : [];
      args.push(...driver.exact);
      for (const prefix of driver.prefixes) {
        parts.push('SELECT seq FROM idx WHERE k >= ? AND k < ?');
        args.push(prefix, `${prefix.slice(0, -1)}}`);
      }
      from = parts.join(' UNION ');
    }
    const where = checks.map((keys) => `EXISTS (SELECT 1 FROM idx i WHERE i.k IN (${marks(keys.length)}) AND i.seq = d.seq)`);
    for (const keys of checks) args.push(...keys);
    const sql = `SELECT DISTINCT d.seq FROM (${from}) d${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY d.seq`;
    return (this.statement(sql).all(...args) as [number][]).map(([seq]) => seq);
  }

  /**
   * The stored resources with these seqs, in that order. `lazy`: each parsed only when something reads more than
   * its type and id (raw-json.ts's lazyResource); a search page the index decided is written without parsing.
   */
  rows(seqs: number[], lazy = false): Resource[] {
    if (!seqs.length) return [];
    const rows = this.statements.rows.all(JSON.stringify(seqs)) as [string, string, string][];
    return rows.map(([type, id, json]) => (lazy ? lazyResource<Resource>(type, id, json) : rememberJson(JSON.parse(json) as Resource, json)));
  }

  private statement(sql: string): Statement {
    let statement = this.searches.get(sql);
    if (!statement) {
      if (this.searches.size >= MAX_SEARCH_STATEMENTS) this.searches.clear();
      statement = this.db.prepare(sql).raw();
      this.searches.set(sql, statement);
    }
    return statement;
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

  /** The seqs given a new version or deleted so far in the first build: keys staged for them are an old version's. */
  bulkReplaced(): number[] {
    return [...(this.bulk?.replaced ?? [])];
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
      this.bulk?.replaced.add(seq);
      this.statements.historyAdd.run(resourceType, id, json);
      this.statements.keyRemove.run(seq, JSON.stringify(indexKeys(JSON.parse(json) as Resource)));
      this.statements.remove.run(seq);
      this.statements.counted.run(-1);
    });
    this.cache.delete(`${resourceType}/${id}`);
  }

  override clear(): void {
    this.db.exec(`DELETE FROM resources; DELETE FROM history; DELETE FROM idx; UPDATE meta SET value = 0 WHERE key = 'count';${this.bulk ? ' DELETE FROM temp.idx_load;' : ''}`);
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
      this.statements.update.run(json, seq);
    } else {
      seq = Number(this.statements.insert.run(type, id, json).lastInsertRowid);
      this.statements.counted.run(1);
    }
    this.statements.keyAdd.run(seq, JSON.stringify(keys));
    this.knownTypes.add(type);
    this.cache.delete(`${type}/${id}`);
  }
}

/**
 * The exact keys of one filter value's alternatives for a parameter decide.ts reads (a reference value of a branch's
 * target type at that branch's path; a token code, without a system, at each leaf), or undefined when some
 * alternative cannot be decided by keys (an absolute reference, `system|code`, a code not kept as a term). An
 * alternative no branch can hold adds no key: an empty list matches nothing.
 */
function exactKeys(type: string, paths: ParameterPaths, alternatives: string[]): string[] | undefined {
  const keys: string[] = [];
  for (const value of alternatives) {
    if (paths.kind === 'reference') {
      if (!referencePrefix(type, value)) return undefined;
      for (const branch of paths.branches) {
        if (branch.target && !value.startsWith(`${branch.target}/`)) continue;
        const key = referenceKey(type, value, branch.path);
        if (!key) return undefined;
        keys.push(key);
      }
    } else {
      if (value.includes('|')) return undefined;
      for (const leaf of paths.leaves) {
        const key = tokenKey(type, value, leaf);
        if (!key) return undefined;
        keys.push(key);
      }
    }
  }
  return keys;
}
