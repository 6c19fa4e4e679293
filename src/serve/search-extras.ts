import {
  OperationOutcomeError,
  badRequest,
  evalFhirPath,
  getSearchParameters,
  matchesSearchRequest,
  normalizeErrorString,
  parseSearchRequest,
} from '@medplum/core';
import type { Bundle, BundleEntry, Resource, SearchParameter } from '@medplum/fhirtypes';
import type { AtomicMemoryRepository } from './router.js';
import { SUPPORTED_PARAM_TYPES } from './capability.js';
import { compiled } from './compiled-path.js';
import { referencesOf } from './references-of.js';
import { exactTokenFilter } from './token-case.js';
import { answerCopy } from './store/raw-json.js';
import { pageLinks, pageNumber, pageUrl } from './paging.js';

export type Query = Record<string, string | string[]>;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** Result parameters we act on or accept and ignore (_elements, _format, _pretty; _total but for none). */
const RESULT_PARAMETERS = new Set(['_count', '_offset', '_sort', '_include', '_revinclude', '_summary', '_elements', '_total', '_format', '_pretty']);

interface IncludeSpec {
  sourceType: string;
  param: SearchParameter;
  targetType?: string;
  /** `_include:iterate` / `_revinclude:iterate`: applied to included resources too, level after level. */
  iterate?: boolean;
}

/** Levels of `:iterate` includes followed past the page's matches (Plan-Net's deepest: role → location → organization → endpoint). */
const MAX_INCLUDE_LEVELS = 4;

export interface SearchPlan {
  resourceType: string;
  /** The filter parameters for medplum, bare-id references rewritten to Type/id. */
  filters: Query;
  sort?: string;
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  count: number;
  offset: number;
  summaryCount: boolean;
  /**
   * `_total=none` (R4 search.html#total: "there is no need to populate the total count; the client will not use
   * it"): a search left to the matcher stops once it has the page and one match more, and answers without `total`
   * unless it ran to the end. Ignored with `_sort` (every match is read to sort them), `_summary=count` and `_count=0`.
   */
  noTotal: boolean;
  /** Chained parameters (`practitioner.name=…`), resolved against the repository when the search runs. */
  chains: ChainSpec[];
}

/** One chained parameter: the reference parameter, and per target type the search its targets must match. */
interface ChainSpec {
  code: string;
  targets: SearchPlan[];
}

/**
 * Checks every parameter against the type's search parameters (400 for unknown ones and _has, which the
 * in-memory engine cannot answer) and prepares paging, includes, chains and bare-id references.
 */
export function planSearch(resourceType: string, query: Query): SearchPlan {
  const params = getSearchParameters(resourceType) ?? {};
  const filters: Query = {};
  const chains: ChainSpec[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (RESULT_PARAMETERS.has(key) || key.startsWith('_include') || key.startsWith('_revinclude')) continue;
    if (key.startsWith('_has:')) throw invalid(`_has is not supported by this server (${key})`);
    const chain = CHAIN.exec(key);
    if (chain) {
      for (const one of Array.isArray(value) ? value : [value]) chains.push(planChain(resourceType, key, chain, one));
      continue;
    }
    const [name = '', modifier] = key.split(':');
    const param = params[name];
    if (!param) throw invalid(`unknown search parameter '${name}' for ${resourceType}`);
    if (!SUPPORTED_PARAM_TYPES.has(param.type ?? '')) throw invalid(`${param.type} search parameters such as '${name}' are not supported by this server`);
    checkValues(resourceType, key, modifier, param, value);
    if (param.type === 'reference' && modifier === undefined) filters[key] = mapValues(value, (v) => qualifyBareIds(v, param));
    else if (param.type === 'date' && modifier === undefined) filters[key] = (Array.isArray(value) ? value : [value]).flatMap(inclusiveEquals);
    else filters[key] = value;
  }
  const sort = last(query._sort);
  for (const rule of sort?.split(',') ?? []) {
    const code = rule.replace(/^-/, '');
    if (!params[code]) throw invalid(`_sort=${sort}: '${code}' is not a search parameter of ${resourceType}`);
  }
  const count = integer(query, '_count', DEFAULT_PAGE_SIZE);
  return {
    resourceType,
    filters,
    sort,
    include: includeSpecs(resourceType, query, '_include'),
    revinclude: includeSpecs(resourceType, query, '_revinclude'),
    count: Math.min(count, MAX_PAGE_SIZE),
    offset: integer(query, '_offset', 0),
    summaryCount: last(query._summary) === 'count',
    noTotal: last(query._total) === 'none',
    chains,
  };
}

/** What a value of an ordered parameter type looks like, for the message naming one that is not. */
const EXPECTED: Record<string, string> = {
  date: 'a date (2020, 2020-05, 2020-05-17 or a dateTime)',
  number: 'a number',
  quantity: 'a number, or number|system|code',
};

const NUMBER = String.raw`(?:eq|ne|gt|lt|ge|le|sa|eb|ap)?[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
/** A number search value (R4 search §3.1.1.4.3), and a quantity's: number, or number|system|code (§3.1.1.4.8). */
const NUMERIC: Record<string, RegExp> = { number: new RegExp(`^${NUMBER}$`), quantity: new RegExp(`^${NUMBER}(?:\\|[^|]*\\|[^|]*)?$`) };

/**
 * 400 naming the parameter and the value (`birthdate=ge: expected a date … after an optional prefix`) for a value
 * the search cannot read: `:missing` other than true or false (R4 search §3.1.1.4.1), and what medplum's parser
 * refuses (its own message names neither).
 */
function checkValues(resourceType: string, key: string, modifier: string | undefined, param: SearchParameter, value: string | string[]): void {
  for (const one of Array.isArray(value) ? value : [value]) {
    if (modifier === 'missing') {
      if (one !== 'true' && one !== 'false') throw invalid(`${key}=${one}: :missing takes true or false`);
      continue;
    }
    const expected = EXPECTED[param.type ?? ''];
    const prefixed = `expected ${expected} after an optional prefix (eq, ne, gt, lt, ge, le, sa, eb, ap)`;
    // medplum's parser lets any number or quantity through (`probability=abc` matched nothing, 200).
    const numeric = modifier === undefined && (param.type === 'number' || param.type === 'quantity') ? NUMERIC[param.type] : undefined;
    if (numeric && !one.split(',').every((v) => numeric.test(v))) throw invalid(`${key}=${one}: ${prefixed}`);
    try {
      // Each alternative alone: medplum reads a date list (`2026-01-02,2026-01-03`) whole as one malformed date.
      for (const alternative of one.split(',')) parseSearchRequest(resourceType, { [key]: alternative });
    } catch (error) {
      throw invalid(`${key}=${one}: ${expected ? prefixed : normalizeErrorString(error)}`);
    }
  }
}

/** `param.rest` or `param:Type.rest` (rest may chain again). */
const CHAIN = /^([A-Za-z][A-Za-z0-9-]*)(?::([A-Z][A-Za-z]+))?\.(.+)$/;

/**
 * A chained parameter (`PractitionerRole?practitioner.name=Smith`, `subject:Patient.name=…`, deeper chains too):
 * the reference parameter's target types (the one named, else every target type that has the chained parameter),
 * each with the planned search of the rest. 400 when the parameter is not a reference or no target has the rest.
 */
function planChain(resourceType: string, key: string, [, code = '', typeModifier, rest = '']: RegExpExecArray, value: string): ChainSpec {
  const param = getSearchParameters(resourceType)?.[code];
  if (!param) throw invalid(`unknown search parameter '${code}' for ${resourceType} (in ${key})`);
  if (param.type !== 'reference') throw invalid(`${key}: '${code}' is a ${param.type} parameter, and only reference parameters chain`);
  const types = typeModifier ? [typeModifier] : ((param.target ?? []) as string[]);
  if (typeModifier && !(param.target ?? []).includes(typeModifier as never)) throw invalid(`${key}: ${resourceType}.${code} does not point to ${typeModifier}`);
  const targets: SearchPlan[] = [];
  let firstError: Error | undefined;
  for (const type of types) {
    try {
      targets.push({ ...planSearch(type, { [rest]: value }), count: MAX_PAGE_SIZE, offset: 0 });
    } catch (error) {
      firstError ??= error as Error;
    }
  }
  if (!targets.length) throw invalid(`${key}: ${firstError?.message ?? `${resourceType}.${code} has no target type`}`);
  return { code, targets };
}

/**
 * The filters of a plan with its chains resolved: each chain becomes a reference filter naming every target that
 * matches its search (`practitioner=Practitioner/1,Practitioner/7`), or a reference nothing holds when none does.
 */
function resolvedFilters(repo: AtomicMemoryRepository, plan: SearchPlan, visible?: (r: Resource) => boolean): Query {
  if (!plan.chains.length) return plan.filters;
  const filters: Query = { ...plan.filters };
  for (const chain of plan.chains) {
    const refs = chain.targets.flatMap((target) => allMatches(repo, target, visible).map(key));
    const value = refs.length ? refs.join(',') : `${chain.targets[0]!.resourceType}/#none`;
    const existing = filters[chain.code];
    filters[chain.code] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return filters;
}

/**
 * Every resource a planned search matches (chains resolved), in insertion order, without paging: the first `limit`
 * of them when given (the candidates after those are not read). `known`: the plan's filters with chains resolved
 * and the store's decision on them, when the caller has them (runSearch).
 */
export function allMatches(repo: AtomicMemoryRepository, plan: SearchPlan, visible?: (r: Resource) => boolean, known?: Decision, limit = Infinity): Resource[] {
  let filters = known?.filters ?? resolvedFilters(repo, plan, visible);
  const store = indexed(repo);
  const decided = known ? known.decided : store?.decide(plan.resourceType, filters);
  if (decided && !Object.keys(decided.rest).length && !visible) return store!.rows(limit < Infinity ? store!.seqsAfter(decided, 0, limit) : decided.seqs);
  // What the store's index decided is left out of the matcher's work: only the rest is matched on its rows.
  const candidates = decided ? rowsInChunks(store!, decided, Math.min(limit, CANDIDATE_CHUNK)) : repo.candidates(plan.resourceType, filters);
  if (decided) filters = decided.rest;
  const request = parseSearchRequest(plan.resourceType, filters);
  const exact = exactTokenFilter(plan.resourceType, filters);
  // The SQLite store's candidates hold these references already (its reference keys); memory's are every resource.
  const required = repo.narrowsReferences ? [] : referenceSets(plan.resourceType, filters);
  const matches: Resource[] = [];
  for (const resource of candidates) {
    if (required.length && !required.every((wanted) => holdsAny(resource, wanted))) continue;
    if (matchesSearchRequest(resource, request) && (!exact || exact(resource)) && (!visible || visible(resource))) {
      if (matches.push(resource) >= limit) break;
    }
  }
  return matches;
}

/** Rows read (and parsed) per query when the matcher walks a decision's candidates: a search that stops early reads few. */
const CANDIDATE_CHUNK = 256;

/**
 * The store's rows of a decision's seqs, in order, read a chunk at a time as the caller walks them: `first` rows first
 * (as many as the search needs when every candidate matches), then CANDIDATE_CHUNK at a time. The seqs too are read
 * a chunk at a time (seqsAfter), so that a search that stops early reads neither the rows nor the index entries
 * after its page.
 */
function* rowsInChunks(store: IndexedRepository, decided: { seqs: number[] }, first: number): Iterable<Resource> {
  for (let after = 0, n = first; ; n = CANDIDATE_CHUNK) {
    const seqs = store.seqsAfter(decided, after, n);
    if (seqs.length) yield* store.rows(seqs);
    if (seqs.length < n) return;
    after = seqs[seqs.length - 1]!;
  }
}

/**
 * Runs a planned search: one page of matches in insertion order (or _sort), includes, and links.
 * `visible` (a patient token's compartment) hides resources from the matches, totals and includes alike.
 */
export function runSearch(repo: AtomicMemoryRepository, plan: SearchPlan, base: string, query: Query, visible?: (r: Resource) => boolean, path = plan.resourceType): Bundle {
  const request = parseSearchRequest(plan.resourceType, { ...plan.filters, ...(plan.sort ? { _sort: plan.sort } : {}) });
  // Decided once: a search the index leaves filters of (a date) is matched on the rows of this same decision.
  const known = request.sortRules?.length || visible ? undefined : decision(repo, plan);
  const found = known && decidedPage(repo, plan, known);
  // Undefined: the search stopped at the page and one match more (`_total=none`), so the total is not known.
  let total: number | undefined;
  let page: Resource[];
  let more: boolean;
  if (found) {
    ({ total, page } = found);
    more = plan.offset + plan.count < total;
  } else {
    // `_count=0` asks for the total alone (as `_summary=count` does): it is counted whatever `_total` says.
    const limit = plan.noTotal && plan.count > 0 && !plan.summaryCount && !request.sortRules?.length ? plan.offset + plan.count + 1 : Infinity;
    const matches = allMatches(repo, plan, visible, known, limit);
    total = matches.length < limit ? matches.length : undefined;
    if (request.sortRules?.length) sortBy(matches, plan.resourceType, request.sortRules);
    page = matches.slice(plan.offset, plan.offset + plan.count);
    more = plan.offset + plan.count < matches.length;
  }
  if (plan.summaryCount) return { resourceType: 'Bundle', type: 'searchset', total: total! };
  const entry: BundleEntry[] = page.map((r) => entryOf(base, r, 'match'));
  entry.push(...resolveIncludes(repo, page, plan, base, visible));
  const link = pageLinks(plan.offset, plan.count, total, more).map(({ relation, offset }) => ({ relation, url: pageUrl(base, path, plan.count, query, offset) }));
  // FHIR JSON has no empty arrays (R4 json.html): a page with no match leaves `entry` out.
  return { resourceType: 'Bundle', type: 'searchset', ...(total === undefined ? {} : { total }), link, ...(entry.length ? { entry } : {}) };
}

/** The SQLite store's index (sqlite-repository.ts), when the repository has one. */
interface IndexedRepository {
  decide(type: string, filters: Query): { seqs: number[]; rest: Query } | undefined;
  seqsAfter(decided: { seqs: number[] }, after: number, limit: number): number[];
  rows(seqs: number[], lazy?: boolean): Resource[];
  includeReferencesOf(type: string, ids: string[], params: SearchParameter[]): Map<SearchParameter, Map<string, string[]>>;
}

function indexed(repo: AtomicMemoryRepository): IndexedRepository | undefined {
  return 'decide' in repo && 'seqsAfter' in repo && 'rows' in repo && 'includeReferencesOf' in repo ? (repo as unknown as IndexedRepository) : undefined;
}

/** A search's filters with chains resolved, and what the SQLite store's index decides of them (undefined: no index, or it narrows nothing). */
interface Decision {
  filters: Query;
  decided: { seqs: number[]; rest: Query } | undefined;
}

/** The plan's filters (chains resolved, no compartment filter) and the store's decision on them. */
function decision(repo: AtomicMemoryRepository, plan: SearchPlan): Decision {
  const filters = resolvedFilters(repo, plan);
  return { filters, decided: indexed(repo)?.decide(plan.resourceType, filters) };
}

/**
 * The total and page of a search that the SQLite store's index decides whole (every filter, chains resolved; no
 * sort, no compartment filter): the page's rows only are read, and written as stored without being parsed (unless
 * an `_include` reads them). Undefined otherwise.
 */
function decidedPage(repo: AtomicMemoryRepository, plan: SearchPlan, { decided }: Decision): { total: number; page: Resource[] } | undefined {
  if (!decided || Object.keys(decided.rest).length) return undefined;
  return { total: decided.seqs.length, page: indexed(repo)!.rows(decided.seqs.slice(plan.offset, plan.offset + plan.count), true) };
}

/**
 * For each plain reference filter (`patient=Patient/1,Patient/2`), the references a match must hold
 * somewhere. A cheap first pass: medplum evaluates each parameter's FHIRPath (with resolve()) on every
 * resource of the type, which made `Observation?patient=…` take a tenth of a second on 25 members.
 */
function referenceSets(resourceType: string, filters: Query): Set<string>[] {
  const params = getSearchParameters(resourceType) ?? {};
  const sets: Set<string>[] = [];
  for (const [key, value] of Object.entries(filters)) {
    if (key.includes(':') || params[key]?.type !== 'reference') continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      const alternatives = one.split(',');
      if (alternatives.every((v) => /^[A-Z][A-Za-z]+\/[^/]+$/.test(v))) sets.push(new Set(alternatives));
    }
  }
  return sets;
}

/** Every `Type/id` a resource refers to (the tail of absolute references too), computed once per stored version. */
const referenceCache = new WeakMap<Resource, Set<string>>();

function holdsAny(resource: Resource, wanted: Set<string>): boolean {
  let refs = referenceCache.get(resource);
  if (!refs) {
    refs = new Set();
    collectReferences(resource, refs);
    referenceCache.set(resource, refs);
  }
  for (const ref of wanted) if (refs.has(ref)) return true;
  return false;
}

/** Every string that may be a reference: `reference` values and canonicals (`Questionnaire/q1|2`) alike, with their `Type/id` tail. */
function collectReferences(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (!value.includes('/')) return;
    into.add(value);
    const tail = /([A-Z][A-Za-z]+\/[^/|]+)(?:\/_history\/[^/|]+)?(?:\|.*)?$/.exec(value)?.[1];
    if (tail) into.add(tail);
  } else if (Array.isArray(value)) {
    for (const v of value) collectReferences(v, into);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) collectReferences(v, into);
  }
}

export function entryOf(base: string, resource: Resource, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource: answerCopy(resource), search: { mode } };
}

/**
 * The page's includes: `_include` and `_revinclude` from the matches, then the `:iterate` ones again from what
 * the previous level added, up to MAX_INCLUDE_LEVELS levels.
 */
function resolveIncludes(repo: AtomicMemoryRepository, page: Resource[], plan: SearchPlan, base: string, visible?: (r: Resource) => boolean): BundleEntry[] {
  const seen = new Set(page.map(key));
  const out: BundleEntry[] = [];
  let frontier = page;
  for (let level = 0; frontier.length && level <= MAX_INCLUDE_LEVELS; level++) {
    const added: Resource[] = [];
    const add = (r: Resource | undefined) => {
      if (!r || seen.has(key(r)) || (visible && !visible(r))) return;
      seen.add(key(r));
      added.push(r);
      out.push(entryOf(base, r, 'include'));
    };
    const specs = plan.include.filter((spec) => level === 0 || spec.iterate);
    const rows = heldReferences(repo, frontier, specs);
    for (const spec of specs) {
      const sources = frontier.filter((resource) => resource.resourceType === spec.sourceType);
      const held = rows.get(spec.param);
      for (const resource of sources) {
        for (const ref of held ? (held.get(resource.id!) ?? []) : referencesOf(resource, spec.param)) {
          const [type, id] = ref.split('/');
          // An EOB names the same practitioners and organizations many times: each is read once.
          if (!type || !id || (spec.targetType && type !== spec.targetType) || seen.has(ref)) continue;
          add(repo.get(type, id));
        }
      }
    }
    for (const spec of plan.revinclude) {
      if ((level > 0 && !spec.iterate) || !spec.param.code) continue;
      const keys = new Set(frontier.filter((r) => (spec.param.target ?? []).includes(r.resourceType as never)).map(key));
      if (!keys.size) continue;
      for (const candidate of repo.candidates(spec.sourceType, { [spec.param.code]: [...keys].join(',') })) {
        if (referencesOf(candidate, spec.param).some((ref) => keys.has(ref))) add(candidate);
      }
    }
    frontier = added;
  }
  return out;
}

/**
 * The SQLite store's reference rows for these include specs' parameters (the sources among `frontier` are then not
 * parsed): one query per source type, by parameter; a parameter it keeps no rows for (or another repository) has none.
 */
function heldReferences(repo: AtomicMemoryRepository, frontier: Resource[], specs: IncludeSpec[]): Map<SearchParameter, Map<string, string[]>> {
  const store = indexed(repo);
  const held = new Map<SearchParameter, Map<string, string[]>>();
  if (!store) return held;
  for (const type of new Set(specs.map((spec) => spec.sourceType))) {
    const ids = frontier.filter((resource) => resource.resourceType === type).map((resource) => resource.id!);
    if (!ids.length) continue;
    const params = [...new Set(specs.filter((spec) => spec.sourceType === type).map((spec) => spec.param))];
    for (const [param, rows] of store.includeReferencesOf(type, ids, params)) held.set(param, rows);
  }
  return held;
}

function includeSpecs(resourceType: string, query: Query, name: '_include' | '_revinclude'): IncludeSpec[] {
  const values = Object.entries(query)
    .filter(([k]) => k === name || k === `${name}:iterate`)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ value, iterate: k.endsWith(':iterate') })));
  return values.flatMap(({ value, iterate }) => {
    const [sourceType = '', code = '', targetType] = value.split(':');
    if (name === '_include' && (value === '*' || value === `${resourceType}:*`)) return referenceParams(resourceType).map((param) => ({ sourceType: resourceType, param }));
    // An iterated include may start from any type the includes reach (`_include:iterate=Location:organization`).
    if (name === '_include' && !iterate && sourceType !== resourceType) throw invalid(`${name}=${value}: the source type must be ${resourceType}`);
    const param = getSearchParameters(sourceType)?.[code];
    if (!param || param.type !== 'reference') throw invalid(`${name}=${value}: '${code}' is not a reference search parameter of ${sourceType}`);
    if (name === '_revinclude' && !iterate && !(param.target ?? []).includes(resourceType as never)) {
      throw invalid(`${name}=${value}: ${sourceType}.${code} does not point to ${resourceType}`);
    }
    return [{ sourceType, param, ...(targetType ? { targetType } : {}), ...(iterate ? { iterate } : {}) }];
  });
}

/**
 * `eqV` as `geV` and `leV`: medplum's `eq` asks the two ranges to overlap with strict comparisons, so a
 * value at full precision (`_lastUpdated=2026-01-02T03:04:05.678Z`, a range of one millisecond) never
 * equals itself. Comma-separated alternatives keep medplum's handling.
 */
function inclusiveEquals(value: string): string[] {
  if (value.includes(',')) return [value];
  const bare = value.startsWith('eq') ? value.slice(2) : value;
  return /^\d/.test(bare) ? [`ge${bare}`, `le${bare}`] : [value];
}

function referenceParams(resourceType: string): SearchParameter[] {
  return Object.values(getSearchParameters(resourceType) ?? {}).filter((p) => p.type === 'reference' && !p.code?.startsWith('_'));
}

/** `patient=123` means `patient=Patient/123`; with several target types, any of them. */
function qualifyBareIds(value: string, param: SearchParameter): string {
  return value
    .split(',')
    .flatMap((v) => (v.includes('/') || v.includes(':') || !v ? [v] : (param.target ?? []).map((t) => `${t}/${v}`)))
    .join(',');
}

function sortBy(resources: Resource[], type: string, rules: { code: string; descending?: boolean }[]): void {
  const params = getSearchParameters(type) ?? {};
  resources.sort((a, b) => {
    for (const rule of rules) {
      const text = params[rule.code]?.expression;
      if (!text) continue;
      const expression = compiled(text);
      const diff = JSON.stringify(evalFhirPath(expression, a)).localeCompare(JSON.stringify(evalFhirPath(expression, b)));
      if (diff) return rule.descending ? -diff : diff;
    }
    return 0;
  });
}

function integer(query: Query, name: string, fallback: number): number {
  const n = pageNumber(query, name);
  if (typeof n === 'string') throw invalid(n);
  return n ?? fallback;
}

function last(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function mapValues(value: string | string[], f: (v: string) => string): string | string[] {
  return Array.isArray(value) ? value.map(f) : f(value);
}

function key(r: Resource): string {
  return `${r.resourceType}/${r.id}`;
}

function invalid(message: string): OperationOutcomeError {
  return new OperationOutcomeError(badRequest(message));
}
