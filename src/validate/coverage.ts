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
  /** Must-support elements the profile itself leaves no place for (counted in total, not in missing). */
  notApplicable: { id: string; reason: string }[];
}

export interface CoverageReport {
  ig: string;
  profiles: ProfileCoverage[];
  /** Canonicals of the IG's resource profiles that no resource claims. */
  unclaimed: string[];
}

const VITAL_SIGNS_BASES = new Set([
  'http://hl7.org/fhir/StructureDefinition/vitalsigns',
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-vital-signs',
]);

/**
 * Must-support elements that a profile inherits but leaves no place for, so that no conformant
 * instance fills them. These are the special cases the ONC Inferno US Core tests also skip:
 * `component` on a single-value vital sign (must-support only through the vital-signs base) and
 * `value[x]` on a profile whose values live in required components (blood pressure). Derived
 * from the snapshot, not a list of profile names.
 */
export function notApplicableReason(sd: StructureDefinition, id: string): string | undefined {
  if (sd.type !== 'Observation' || !VITAL_SIGNS_BASES.has(sd.baseDefinition ?? '')) return undefined;
  const componentSlices = (sd.snapshot?.element ?? []).filter((e) => /^Observation\.component:[^.]+$/.test(e.id));
  if (id.startsWith('Observation.component') && componentSlices.length === 0) {
    return 'single-value vital sign: component is must-support only through the vital-signs base profile';
  }
  if (id.startsWith('Observation.value[x]') && componentSlices.some((e) => (e.min ?? 0) > 0)) {
    return 'the values are in required components, so the Observation has no value[x]';
  }
  return undefined;
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
    const all = mustSupportElements(sd);
    const notApplicable = all.flatMap((id) => {
      const reason = notApplicableReason(sd, id);
      return reason ? [{ id, reason }] : [];
    });
    const ids = all.filter((id) => !notApplicable.some((n) => n.id === id));
    if (!claiming.length) unclaimed.push(sd.url);
    const compiled = validator.profile(`${sd.url}|${sd.version}`);
    const filled = new Set<string>();
    if (compiled) {
      for (const r of claiming) {
        const nodes = compiled.finder(r);
        for (const id of ids) {
          if (filled.has(id)) continue;
          if (nodes(id).some((n) => n !== undefined && n !== null) || compiled.primitiveExtensionFilled(r, id) || compiled.recursiveFilled(r, id)) filled.add(id);
        }
      }
    }
    profiles.push({
      profile: sd.url,
      name: sd.name,
      resources: claiming.length,
      covered: filled.size,
      total: all.length,
      missing: ids.filter((id) => !filled.has(id)),
      notApplicable,
    });
  }
  return { ig: `${igPackage.name}#${igPackage.version}`, profiles, unclaimed };
}
