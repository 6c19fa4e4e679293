import type { Resource } from '@medplum/fhirtypes';
import type { FhirPackage } from './packages.js';
import type { StructureDefinition } from './types.js';
import type { Validator } from './validator.js';

export interface ProfileCoverage {
  profile: string;
  name: string;
  /** Resources claiming the profile (meta.profile, versioned or not). */
  resources: number;
  covered: number;
  total: number;
  /** Element ids of must-support elements no claiming resource fills. */
  missing: string[];
}

export interface CoverageReport {
  ig: string;
  profiles: ProfileCoverage[];
  /** Canonicals of the IG's resource profiles that no resource claims. */
  unclaimed: string[];
}

/** The resource profiles an IG package defines (constraints on a resource type, not extensions or data types). */
export function resourceProfiles(pkg: FhirPackage): StructureDefinition[] {
  return pkg.resources.filter(
    (r): r is StructureDefinition => r.resourceType === 'StructureDefinition' && r.kind === 'resource' && r.derivation === 'constraint' && !r.abstract && Boolean(r.snapshot),
  );
}

/** Must-support elements of a profile's snapshot, slices included (element ids). */
export function mustSupportElements(sd: StructureDefinition): string[] {
  return (sd.snapshot?.element ?? []).filter((e) => e.mustSupport === true).map((e) => e.id);
}

/**
 * Must-support coverage of an IG: for every resource profile, each mustSupport element of its snapshot
 * counts as covered when at least one resource claiming the profile has a value there.
 */
export function coverage(resources: readonly Resource[], igPackage: FhirPackage, validator: Validator): CoverageReport {
  const profiles: ProfileCoverage[] = [];
  const unclaimed: string[] = [];
  for (const sd of resourceProfiles(igPackage)) {
    const claiming = resources.filter((r) => (r.meta?.profile ?? []).some((p) => p === sd.url || p.split('|')[0] === sd.url));
    const ids = mustSupportElements(sd);
    if (!claiming.length) unclaimed.push(sd.url);
    const compiled = validator.profile(`${sd.url}|${sd.version}`);
    const filled = new Set<string>();
    if (compiled) {
      for (const r of claiming) {
        const nodes = compiled.finder(r);
        for (const id of ids) if (!filled.has(id) && nodes(id).some((n) => n !== undefined && n !== null)) filled.add(id);
      }
    }
    profiles.push({ profile: sd.url, name: sd.name, resources: claiming.length, covered: filled.size, total: ids.length, missing: ids.filter((id) => !filled.has(id)) });
  }
  return { ig: `${igPackage.name}#${igPackage.version}`, profiles, unclaimed };
}
