import { getSearchParameters, matchesSearchRequest, deepClone, type SearchRequest } from '@medplum/core';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';
import type Database from 'libsql';
import { AtomicMemoryRepository, type FilterQuery } from '../router.js';
import { dateCheck, dateCondition, type DateCheck } from './date-plan.js';
import type { DatePlan } from './dates.js';
import { parameterPaths, type ParameterPaths } from './decide.js';
import { isReferenceKey, referenceKey, referencePrefix, termsCover, tokenKey, tokenPrefix } from './keys.js';
import { guardReads } from './failure.js';
import { lazyResource, rememberJson } from './raw-json.js';
import { isTombstone, missingResource, untimedTombstone } from '../history.js';

export type Db = Database.Database;
export type Statement = Database.Statement;

/** Parsed current versions kept in memory (directory resources that every include asks for, a member's page). */
const CACHE_SIZE = 5_000;
const MAX_SEARCH_STATEMENTS = 500;
/**
 * Driver keys merged in one keyset query at most (seqsAfter): a prefix holds a few (a reference's paths, a code's
 * paths and cases); past this many the decision is read whole.
 */
const MAX_MERGED_KEYS = 16;

/** What a decision reads (seqs' arguments), and the driver's keys once expanded (null: too many to merge). */
interface SeqQuery {
  driver: { type: string; ids: string[] } | { exact: string[]; prefixes: string[] };
  checks: string[][];
  dates: DateCheck[];
  keys?: string[] | null;
}
/** FHIRPath that computes a value instead of reading leaves (store-search.test.ts found `Patient?deceased=false`). */
const COMPUTED = /\b(exists|empty|not|iif|count)\(|\s(and|or|xor|implies)\s|!=|[<>]/;

/**
 * The read and search half of the sandbox's SQLite repository (sqlite-repository.ts adds the writes): reads of
 * current resources and their history, and the index's decision on a search — `idx`'s reference and token keys
 * (keys.ts) and the `dates` rows (dates.ts) — which narrows the candidates medplum's matcher then decides (or decides
 * a search whole). A read-only connection (read-worker.ts) uses it as it is.
 */
export class SqliteReads extends AtomicMemoryRepository {
  protected readonly reads: Record<'get' | 'has' | 'all' | 'history' | 'count' | 'types' | 'rows' | 'refs' | 'keysIn', Statement>;
  /** The query behind each decision this store made (seqsAfter reads it a page at a time). */
  private readonly queries = new WeakMap<object, SeqQuery>();
  /** Prepared search statements by their SQL (one per shape: how many keys in each set). */
  private readonly searches = new Map<string, Statement>();
  protected readonly knownTypes: Set<string>;
  protected readonly cache = new Map<string, Resource>();
  override readonly narrowsReferences = true;
  /** The date parameters this store has rows for (meta 'dates', written by its first build; empty without). */
  readonly datePlan: DatePlan;
  /** The types whose reference parameters have rows (`refs`) under the plan. */
  protected readonly referenceTypes: Set<string>;

  constructor(readonly db: Db) {
    super();
    const s = (sql: string) => guardReads(() => db.prepare(sql).raw(), db);
    this.reads = {
      get: s('SELECT seq, json FROM resources WHERE type = ? AND id = ?'),
      has: s('SELECT 1 FROM resources WHERE type = ? AND id = ?'),
      all: s('SELECT json FROM resources WHERE type = ? ORDER BY seq'),
      history: s('SELECT json FROM history WHERE type = ? AND id = ? ORDER BY hid'),
      count: s('SELECT count(*) FROM resources'),
      // The types by skipping through the (type, id) index, a few seeks each: DISTINCT read all of it (seconds at 10,000 members).
      types: s('WITH RECURSIVE t(type) AS (SELECT min(type) FROM resources UNION ALL SELECT (SELECT min(type) FROM resources WHERE type > t.type) FROM t WHERE t.type IS NOT NULL) SELECT type FROM t WHERE type IS NOT NULL'),
      rows: s('SELECT r.type, r.id, r.json FROM json_each(?) j JOIN resources r ON r.seq = j.value ORDER BY j.key'),
      // A page's reference rows for every parameter asked at once (`_include=ExplanationOfBenefit:*` asks 14).
      // The distinct keys in [?1, ?2), at most ?3, skipping through the index (DISTINCT would read every row of the range).
      keysIn: s('WITH RECURSIVE t(k) AS (SELECT (SELECT min(k) FROM idx WHERE k >= ?1 AND k < ?2) UNION ALL SELECT (SELECT min(k) FROM idx WHERE k > t.k AND k < ?2) FROM t WHERE t.k IS NOT NULL) SELECT k FROM t WHERE k IS NOT NULL LIMIT ?3'),
      refs: s('SELECT r.id, f.p, f.ref FROM json_each(?) j JOIN resources r ON r.type = ? AND r.id = j.value JOIN refs f ON f.seq = r.seq AND f.p IN (SELECT value FROM json_each(?)) ORDER BY j.key, f.p, f.n'),
    };
    this.knownTypes = new Set((this.reads.types.all() as [string][]).map(([t]) => t));
    const plan = db.prepare("SELECT value FROM meta WHERE key = 'dates'").raw().get() as [string] | undefined;
    this.datePlan = plan ? (JSON.parse(plan[0]) as DatePlan) : {};
    this.referenceTypes = new Set(Object.entries(this.datePlan).filter(([, params]) => Object.values(params).some((p) => p.reference)).map(([type]) => type));
  }

  /**
   * The references (as written, in search-extras.ts referencesOf's order, each once) that the resources of `type`
   * with these ids hold in reference parameter `param`, read from the `refs` rows instead of the resources: by id (an
   * id not stored, or holding none, has no entry). Undefined when the store keeps no rows for that parameter as it is
   * served now (the caller then reads the resources).
   */
  includeReferences(type: string, ids: string[], param: SearchParameter): Map<string, string[]> | undefined {
    return this.includeReferencesOf(type, ids, [param]).get(param);
  }

  /**
   * includeReferences for several reference parameters of `type` in one query (one per page instead of one per
   * parameter): by parameter, each as includeReferences answers; a parameter the store keeps no rows for as it is
   * served now has no entry.
   */
  includeReferencesOf(type: string, ids: string[], params: SearchParameter[]): Map<SearchParameter, Map<string, string[]>> {
    const byCode = new Map<string, Map<string, string[]>>();
    const held = new Map<SearchParameter, Map<string, string[]>>();
    for (const param of params) {
      const planned = param.code ? this.datePlan[type]?.[param.code] : undefined;
      if (!planned?.reference || getSearchParameters(type)?.[param.code!] !== param || planned.expression !== param.expression) continue;
      let rows = byCode.get(param.code!);
      if (!rows) byCode.set(param.code!, (rows = new Map()));
      held.set(param, rows);
    }
    if (!ids.length || !byCode.size) return held;
    for (const [id, code, ref] of this.reads.refs.all(JSON.stringify(ids), type, JSON.stringify([...byCode.keys()])) as [string, string, string][]) {
      const rows = byCode.get(code)!;
      const list = rows.get(id);
      if (list) list.push(ref);
      else rows.set(id, [ref]);
    }
    return held;
  }

  /**
   * Drops what this connection keeps of the store besides SQLite's pages — parsed resources, the known types — for a
   * read-only connection (read-worker.ts) that another one has written through since.
   */
  forgetCached(): void {
    this.cache.clear();
    this.knownTypes.clear();
    for (const [type] of this.reads.types.all() as [string][]) this.knownTypes.add(type);
  }

  /** How many current resources the store holds. */
  count(): number {
    return (this.reads.count.get() as [number])[0];
  }

  override has(type: string, id: string): boolean {
    return this.cache.has(`${type}/${id}`) || this.reads.has.get(type, id) !== undefined;
  }

  override get(type: string, id: string): Resource | undefined {
    const key = `${type}/${id}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const row = this.reads.get.get(type, id) as [number, string] | undefined;
    if (!row) return undefined;
    const resource = rememberJson(JSON.parse(row[1]) as Resource, row[1]);
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, resource);
    return resource;
  }

  override *all(type: string): Iterable<Resource> {
    for (const [json] of this.reads.all.iterate(type) as Iterable<[string]>) yield rememberJson(JSON.parse(json) as Resource, json);
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
    return prefix ? this.rows(this.seqs({ exact: [], prefixes: [prefix] }, [], [])) : this.all(type);
  }

  /**
   * What the index says about a search of `type` with `filters` (plain filters of the kinds runSearch passes: bare
   * ids qualified to `Type/id`, each value one string of comma-separated alternatives, several values all required):
   * `seqs`, in stable order, the resources that match every filter the index decides exactly — `_id`, a reference
   * parameter whose paths decide.ts reads, given `Type/id` values, with `exactCase` a token parameter it reads, given
   * codes without a system, and a date parameter of the store's date plan (any prefix, as medplum compares ranges) —
   * and hold a key of the first other reference or token filter; `rest`, the filters left for medplum's matcher (and
   * the exact token check). Undefined when no reference, token or id filter narrows (every resource of the type may
   * match: dates alone do not drive a search). Modifiers (`code:text`, `date:missing`), strings and quantities are
   * always left.
   */
  decide(type: string, filters: FilterQuery, exactCase = true): { seqs: number[]; rest: FilterQuery } | undefined {
    const params = getSearchParameters(type) ?? {};
    const rest: FilterQuery = {};
    let ids: Set<string> | undefined;
    const exact: string[][] = [];
    const dates: DateCheck[] = [];
    const loose: { kind: 'r' | 't'; prefixes: string[] }[] = [];
    for (const [name, value] of Object.entries(filters)) {
      const values = Array.isArray(value) ? value : [value];
      // A token parameter reading elements that have no term keys (keys.ts termsCover) is left to the matcher.
      const token = params[name]?.type === 'token' && termsCover(type, params[name]?.expression);
      const kind = name.includes(':') ? undefined : name === '_id' ? 'id' : params[name]?.type === 'reference' ? 'r' : token ? 't' : params[name]?.type === 'date' ? 'd' : undefined;
      if (kind === 'id') {
        for (const one of values) {
          // `|id`: an id without a system, as medplum matches it (store-unkeyed-leaves.test.ts found it missed).
          const wanted = new Set(one.split(',').map((v) => (v.startsWith('|') ? v.slice(1) : v)));
          ids = new Set(ids ? [...ids].filter((id) => wanted.has(id)) : wanted);
        }
        continue;
      }
      const paths = (kind === 'r' || kind === 't') && (kind === 'r' || exactCase) ? parameterPaths(type, name) : undefined;
      const left: string[] = [];
      for (const one of values) {
        if (kind === 'd') {
          const check = dateCheck(type, name, one, this.datePlan);
          if (check) dates.push(check);
          else left.push(one);
          continue;
        }
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
        if ((kind === 'r' || kind === 't') && prefixes.every((p): p is string => Boolean(p))) loose.push({ kind, prefixes });
      }
      if (left.length) rest[name] = Array.isArray(value) ? left : left[0]!;
    }
    if (ids) return this.decision({ driver: { type, ids: [...ids] }, checks: exact, dates }, rest);
    // The driver: an exact reference set (a patient's few hundred resources) before any looser one, tokens last.
    const driver =
      exact.find((keys) => keys.some((k) => isReferenceKey(type, k))) ??
      loose.find((s) => s.kind === 'r') ??
      exact[0] ??
      loose[0];
    if (!driver) return undefined;
    const checks = exact.filter((keys) => keys !== driver);
    return this.decision({ driver: Array.isArray(driver) ? { exact: driver, prefixes: [] } : { exact: [], prefixes: driver.prefixes }, checks, dates }, rest);
  }

  /** A decision whose `seqs` are read (all of them, once) when asked for; seqsAfter reads them a page at a time. */
  private decision(query: SeqQuery, rest: FilterQuery): { seqs: number[]; rest: FilterQuery } {
    let seqs: number[] | undefined;
    const reads = this;
    const decided = {
      get seqs(): number[] {
        return (seqs ??= reads.seqs(query.driver, query.checks, query.dates));
      },
      rest,
    };
    this.queries.set(decided, query);
    return decided;
  }

  /**
   * The first `limit` seqs above `after` (ascending) of a decision of this store, read in SQL without reading the rest:
   * the driver's keys (its prefixes expanded to the keys they hold, a few index seeks each) are each read from
   * `after` on in seq order — `idx`'s primary key (k, seq) is that order — and merged (`MERGE (UNION)` in the plan,
   * no temporary B-tree), checks and date conditions applied, until `limit` seqs. So a page costs its rows, not what
   * remains of the search: `fhirseed purge`, which asks for the first page of its tag again after each delete, read
   * every remaining index row of its tag per page. A decision by `_id`, or whose driver has more than
   * {@link MAX_MERGED_KEYS} keys, is read whole (decided.seqs) and sliced. Throws StoreFailure as reads do (failure.ts).
   */
  seqsAfter(decided: { seqs: number[] }, after: number, limit: number): number[] {
    const query = this.queries.get(decided);
    const keys = query && 'exact' in query.driver ? this.driverKeys(query) : undefined;
    if (!query || !keys) {
      const all = decided.seqs;
      let low = 0;
      for (let high = all.length; low < high; ) {
        const mid = (low + high) >>> 1;
        if (all[mid]! <= after) low = mid + 1;
        else high = mid;
      }
      return all.slice(low, low + limit);
    }
    if (!keys.length || limit <= 0 || query.checks.some((k) => !k.length)) return [];
    const { where, args } = conditions(query.checks, query.dates);
    const arm = `SELECT d.seq FROM idx d WHERE d.k = ? AND d.seq > ?${where.map((w) => ` AND ${w}`).join('')}`;
    const sql = `${keys.map(() => arm).join(' UNION ')} ORDER BY 1 LIMIT ?`;
    return (this.statement(sql).all(...keys.flatMap((k) => [k, after, ...args]), limit) as [number][]).map(([seq]) => seq);
  }

  /** The driver's exact keys and the keys its prefixes hold (skipping through `idx`), once per query; undefined past MAX_MERGED_KEYS. */
  private driverKeys(query: SeqQuery): string[] | undefined {
    if (query.keys !== undefined) return query.keys ?? undefined;
    const driver = query.driver as { exact: string[]; prefixes: string[] };
    const keys = new Set(driver.exact);
    for (const prefix of driver.prefixes) {
      if (keys.size > MAX_MERGED_KEYS) break;
      for (const [key] of this.reads.keysIn.all(prefix, `${prefix.slice(0, -1)}}`, MAX_MERGED_KEYS + 1) as [string][]) keys.add(key);
    }
    query.keys = keys.size > MAX_MERGED_KEYS ? null : [...keys];
    return query.keys ?? undefined;
  }

  /**
   * The seqs (in order) of the resources the driver finds — ids of the type, or exact keys and key prefixes — that
   * also hold one key of every check set and pass every date check (date-plan.ts dateCondition).
   */
  protected seqs(driver: { type: string; ids: string[] } | { exact: string[]; prefixes: string[] }, checks: string[][], dates: DateCheck[]): number[] {
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
    const { where, args: more } = conditions(checks, dates);
    args.push(...more);
    const sql = `SELECT DISTINCT d.seq FROM (${from}) d${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY d.seq`;
    return (this.statement(sql).all(...args) as [number][]).map(([seq]) => seq);
  }

  /**
   * The stored resources with these seqs, in that order. `lazy`: each parsed only when something reads more than
   * its type and id (raw-json.ts's lazyResource); a search page the index decided is written without parsing.
   */
  rows(seqs: number[], lazy = false): Resource[] {
    if (!seqs.length) return [];
    const rows = this.reads.rows.all(JSON.stringify(seqs)) as [string, string, string][];
    return rows.map(([type, id, json]) => (lazy ? lazyResource<Resource>(type, id, json) : rememberJson(JSON.parse(json) as Resource, json)));
  }

  private statement(sql: string): Statement {
    let statement = this.searches.get(sql);
    if (!statement) {
      if (this.searches.size >= MAX_SEARCH_STATEMENTS) this.searches.clear();
      statement = guardReads(() => this.db.prepare(sql).raw(), this.db);
      this.searches.set(sql, statement);
    }
    return statement;
  }

  override async readResource<T extends Resource>(resourceType: string, id: string): Promise<T & { id: string }> {
    const resource = this.get(resourceType, id);
    if (!resource) throw missingResource(resourceType, id, this.versions(resourceType, id));
    return deepClone(resource) as T & { id: string };
  }

  /**
   * Every stored version, oldest first: the `history` rows (earlier versions and history.ts tombstones), then the
   * current one. A resource deleted by a store made before deletions were kept as versions gets a tombstone without
   * time or version at the end.
   */
  override versions(resourceType: string, id: string): Resource[] {
    const earlier = (this.reads.history.all(resourceType, id) as [string][]).map(([json]) => JSON.parse(json) as Resource);
    const current = this.get(resourceType, id);
    if (current) return [...earlier, current];
    const last = earlier.at(-1);
    return last && !isTombstone(last) ? [...earlier, untimedTombstone(resourceType, id)] : earlier;
  }

  /** medplum's search contract (conditional create/update/delete use it), narrowed by the same keys as runSearch. */
  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<T & { id: string }>> {
    const filters: FilterQuery = {};
    const params = getSearchParameters(request.resourceType) ?? {};
    // medplum's matcher alone (no exact pass here, as in MemoryRepository.search) takes a code without a system that
    // equals a display or a text, which have no term keys (keys.ts unkeyedLeaf): such a token filter does not narrow.
    const bySystem = (f: { code: string; value: string }) => f.code === '_id' || params[f.code]?.type !== 'token' || f.value.split(',').every((v) => v.indexOf('|') > 0);
    for (const f of request.filters ?? []) if (f.operator === 'eq' && !filters[f.code] && bySystem(f)) filters[f.code] = f.value;
    const matches = [...this.candidates(request.resourceType, filters)].filter((r) => matchesSearchRequest(r, request as SearchRequest));
    const offset = request.offset ?? 0;
    const page = matches.slice(offset, request.count === undefined ? undefined : offset + request.count);
    return { resourceType: 'Bundle', type: 'searchset', total: matches.length, ...(page.length ? { entry: page.map((resource) => ({ resource: resource as T & { id: string } })) } : {}) };
  }
}

/**
 * The SQL conditions on a candidate `d.seq` (one per check set: it holds one of the keys; one per date check:
 * dateCondition) and their arguments, in order.
 */
function conditions(checks: string[][], dates: DateCheck[]): { where: string[]; args: unknown[] } {
  const args: unknown[] = [];
  const where = checks.map((keys) => `EXISTS (SELECT 1 FROM idx i WHERE i.k IN (${keys.map(() => '?').join(',')}) AND i.seq = d.seq)`);
  for (const keys of checks) args.push(...keys);
  for (const check of dates) {
    const condition = dateCondition(check);
    where.push(condition.sql);
    args.push(...condition.args);
  }
  return { where, args };
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
