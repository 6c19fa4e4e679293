import type { Resource } from '@medplum/fhirtypes';
import type { CodeMaps } from '../codemaps/types.js';
import { IG_PACKAGES, type IgName } from '../profile/igs.js';
import type { Plan, Profile } from '../profile/types.js';
import type { Directory, MemberStory } from '../story/types.js';
import { SYSTEMS } from './systems.js';

export type UsCoreVersion = '3.1.1' | '6.1.0';

/** What every builder gets besides the story: fixed for a run, never random. */
export interface BuildContext {
  profile: Profile;
  codeMaps: CodeMaps;
  directory: Directory;
  /** Run id placed in every resource's run tag. */
  runId: string;
  /** meta.lastUpdated for every resource: the run's "now" (profile period end unless given). */
  lastUpdated: string;
  usCoreVersion: UsCoreVersion;
  plansById: ReadonlyMap<string, Plan>;
  /**
   * The IGs the run emits (profile `igs:`, `generate --ig`): a builder of an IG is called only when
   * `ctx.igs.has(ig)`, and resources claim only these IGs' profiles (see claimSelectedIgs).
   */
  igs: ReadonlySet<IgName>;
}

export const FHIRSEED_RUN_TAG_SYSTEM = SYSTEMS.fhirseedRun;
export const HTEST = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  code: 'HTEST',
  display: 'test health data',
} as const;

const CARIN_BB = 'http://hl7.org/fhir/us/carin-bb/StructureDefinition';
export const CARIN_BB_VERSION = '2.0.0';

/** Versioned canonical of a CARIN BB profile, e.g. carinBbProfile('C4BB-Patient'). */
export function carinBbProfile(name: string): string {
  return `${CARIN_BB}/${name}|${CARIN_BB_VERSION}`;
}

export interface Meta {
  lastUpdated: string;
  profile: string[];
  security: { system: string; code: string; display: string }[];
  tag: { system: string; code: string }[];
}

export function meta(ctx: BuildContext, profiles: string[]): Meta {
  return {
    lastUpdated: ctx.lastUpdated,
    profile: profiles,
    security: [{ ...HTEST }],
    tag: [{ system: FHIRSEED_RUN_TAG_SYSTEM, code: ctx.runId }],
  };
}

/** Resource ids: readable, deterministic, valid FHIR ids (≤ 64 of [A-Za-z0-9-.]). */
export const ids = {
  patient: (s: MemberStory) => `fs-${s.key}`,
  subscriber: (s: MemberStory) => `fs-${s.key}-sub`,
  coverage: (s: MemberStory, ordinal: number) => `fs-${s.key}-cov${ordinal}`,
  eob: (s: MemberStory, ordinal: number) => `fs-${s.key}-eob${ordinal}`,
  encounter: (s: MemberStory, ordinal: number) => `fs-${s.key}-enc${ordinal}`,
  /** Problem-list Condition of story.conditions[i]. */
  problem: (s: MemberStory, i: number) => `fs-${s.key}-cond${i + 1}`,
  /** Encounter-diagnosis Condition: the k-th (1-based) diagnosis of encounter `ordinal`. */
  encounterDiagnosis: (s: MemberStory, ordinal: number, k: number) => `fs-${s.key}-enc${ordinal}-dx${k}`,
  /** Any other member resource: fs-<key>-<suffix>, suffix a short kind plus an ordinal (e.g. 'obs12', 'cond3'). */
  member: (s: MemberStory, suffix: string) => `fs-${s.key}-${suffix}`,
};

const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition';

/** The base FHIR R4 definition of a type, for resources that no IG profile fits (every resource claims a profile). */
export function baseProfile(resourceType: string): string {
  return `http://hl7.org/fhir/StructureDefinition/${resourceType}`;
}

/** Versioned canonical of a US Core profile for the run's US Core version, e.g. usCoreProfile(ctx, 'us-core-encounter'). */
export function usCoreProfile(ctx: Pick<BuildContext, 'usCoreVersion'>, id: string): string {
  return `${US_CORE}/${id}|${ctx.usCoreVersion}`;
}

/**
 * The resource with meta.profile cut to the selected IGs' profiles (a Patient built as C4BB-Patient
 * claims only US Core Patient when CARIN BB is not selected); when none is left, the base R4 profile
 * of its type. The same object when nothing changes.
 */
export function claimSelectedIgs<T extends Resource>(resource: T, ctx: Pick<BuildContext, 'igs'>): T {
  const profiles = resource.meta?.profile;
  if (!profiles) return resource;
  const unselected = unselectedBases(ctx.igs);
  if (!unselected.length) return resource;
  const kept = profiles.filter((p) => !unselected.some((base) => p.startsWith(base)));
  if (kept.length === profiles.length) return resource;
  return { ...resource, meta: { ...resource.meta, profile: kept.length ? kept : [baseProfile(resource.resourceType)] } };
}

// The canonical bases of the IGs a selection leaves out, once per selection (a run has one; every resource asks: issue 13).
const unselectedOf = new WeakMap<ReadonlySet<IgName>, string[]>();
function unselectedBases(igs: ReadonlySet<IgName>): string[] {
  let bases = unselectedOf.get(igs);
  if (bases === undefined) {
    bases = Object.entries(IG_PACKAGES).filter(([ig]) => !igs.has(ig as IgName)).map(([, p]) => p.canonicalBase);
    unselectedOf.set(igs, bases);
  }
  return bases;
}

export function ref(type: string, id: string): { reference: string } {
  return { reference: `${type}/${id}` };
}
