import type { Resource } from '@medplum/fhirtypes';
import { judgedNotApplicable } from './not-applicable.js';
import type { FhirPackage } from './packages.js';
import type { CompiledProfile } from './profile.js';
import type { StructureDefinition } from './types.js';
import { claimedProfiles, type Validator } from './validator.js';

export interface ProfileCoverage {
  profile: string;
  name: string;
  /** Resources claiming the profile (meta.profile, versioned or not). */
  resources: number;
  covered: number;
  total: number;
  /** Element ids of must-support elements no claiming resource fills. */
  missing: string[];
  /**
   * Must-support elements not applicable (counted in total, not in missing nor in the applicable
   * denominator): those the profile itself leaves no place for (no `source`), and those judged so in
   * src/validate/not-applicable.ts (with its `source`).
   */
  notApplicable: { id: string; reason: string; source?: string }[];
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
  // Plan-Net Network marks telecom must-support and prohibits it (0..0): networks are reached through their contacts.
  if (sd.snapshot?.element.find((e) => e.id === id)?.max === '0') return 'the profile prohibits it (max 0)';
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
  const acc = new CoverageIndex(igPackage, validator);
  for (const r of resources) acc.add(r);
  return acc.report();
}

/** What a CoverageIndex holds, as plain data (posted from worker threads): per profile, claims and filled element ids. */
export interface CoverageState {
  claims: number[];
  filled: string[][];
}

/**
 * Must-support coverage of an IG gathered one resource at a time, as compact indexes: per resource profile
 * of the IG, how many resources claim it and the set of its must-support element ids some claiming
 * resource fills. No resource is kept. Indexes of several workers merge (`merge`) into the same report
 * as one pass over all resources.
 */
export class CoverageIndex {
  private readonly profiles: {
    sd: StructureDefinition;
    all: string[];
    ids: string[];
    notApplicable: ProfileCoverage['notApplicable'];
    /** Compiled at the first claiming resource (null: not yet): an index that only merges (validate --jobs N's main thread) compiles nothing. */
    compiled: CompiledProfile | undefined | null;
    claims: number;
    filled: Set<string>;
  }[];
  /** Profile canonical (versioned or not) → indexes into profiles. */
  private readonly byCanonical = new Map<string, number[]>();

  constructor(
    private readonly igPackage: FhirPackage,
    private readonly validator: Validator,
  ) {
    this.profiles = resourceProfiles(igPackage).map((sd, i) => {
      const all = mustSupportElements(sd);
      const notApplicable = all.flatMap((id) => {
        const judged = judgedNotApplicable(sd.url, id);
        if (judged) return [{ id, reason: judged.reason, source: judged.source }];
        const reason = notApplicableReason(sd, id);
        return reason ? [{ id, reason }] : [];
      });
      const na = new Set(notApplicable.map((n) => n.id));
      (this.byCanonical.get(sd.url) ?? this.byCanonical.set(sd.url, []).get(sd.url)!).push(i);
      return { sd, all, ids: all.filter((id) => !na.has(id)), notApplicable, compiled: null, claims: 0, filled: new Set<string>() };
    });
  }

  /** Counts a resource against every profile of the IG it claims (meta.profile, versioned or not). */
  add(r: Resource): void {
    const profiles = claimedProfiles(r);
    if (!profiles.length) return;
    // One claim (the usual case) needs no set: its indexes are already distinct and in order.
    const claimed = profiles.length === 1 ? this.indexesOf(profiles[0]!) : [...new Set(profiles.flatMap((p) => this.indexesOf(p)))].sort((a, b) => a - b);
    for (const i of claimed) {
      const p = this.profiles[i]!;
      p.claims++;
      if (p.compiled === null) p.compiled = this.validator.profile(`${p.sd.url}|${p.sd.version}`);
      if (!p.compiled || p.filled.size === p.ids.length) continue;
      const nodes = p.compiled.finder(r);
      for (const id of p.ids) {
        if (p.filled.has(id)) continue;
        if (nodes(id).some((n) => n !== undefined && n !== null) || p.compiled.primitiveExtensionFilled(r, id) || p.compiled.recursiveFilled(r, id)) p.filled.add(id);
      }
    }
  }

  /** Indexes into profiles of a claimed canonical (versioned or not), in order; memoised. */
  private indexesOf(canonical: string): readonly number[] {
    let hit = this.claims.get(canonical);
    if (!hit) {
      hit = this.byCanonical.get(canonical.split('|')[0]!) ?? [];
      if (this.claims.size < 10_000) this.claims.set(canonical, hit); // any text may be claimed: the memo stays bounded
    }
    return hit;
  }

  /** Memo of indexesOf. */
  private readonly claims = new Map<string, readonly number[]>();

  state(): CoverageState {
    return { claims: this.profiles.map((p) => p.claims), filled: this.profiles.map((p) => [...p.filled]) };
  }

  /** Adds another index's state (same IG package) into this one. */
  merge(state: CoverageState): void {
    this.profiles.forEach((p, i) => {
      p.claims += state.claims[i] ?? 0;
      for (const id of state.filled[i] ?? []) p.filled.add(id);
    });
  }

  report(): CoverageReport {
    const profiles: ProfileCoverage[] = this.profiles.map((p) => ({
      profile: p.sd.url,
      name: p.sd.name,
      resources: p.claims,
      covered: p.filled.size,
      total: p.all.length,
      missing: p.ids.filter((id) => !p.filled.has(id)),
      notApplicable: p.notApplicable,
    }));
    const unclaimed = this.profiles.filter((p) => !p.claims).map((p) => p.sd.url);
    return { ig: `${this.igPackage.name}#${this.igPackage.version}`, profiles, unclaimed };
  }
}
