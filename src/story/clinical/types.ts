/**
 * The clinical side of a member story: plain data, no FHIR. Every fact derives from the same
 * story events as the claims (encounters are the claims' visits), so the two views agree.
 * Each domain owns its facts in its own module; this file composes them.
 */
import type { CodeMaps, EncounterKind } from '../../codemaps/types.js';
import type { Profile } from '../../profile/types.js';
import type { Rng } from '../../util/rng.js';
import type { Directory, IsoDate, MemberStory } from '../types.js';
import type { CareFacts } from './care.js';
import type { LabsVitalsFacts } from './labs-vitals.js';
import type { MedicationFacts } from './medications.js';
import type { PlanningFacts } from './planning.js';
import type { SocialFacts } from './social.js';

/** A code with the key of its system in SYSTEMS (src/fhir/systems.ts). */
export interface CodeFact {
  system: string;
  code: string;
  display: string;
}

export type { EncounterKind };

/**
 * A visit: one per professional, outpatient, inpatient or oral claim that is not an ambulance
 * transport; a corrected claim and the claim it replaces are one visit.
 */
export interface EncounterFact {
  /** 1-based, in date order: the resource id is fs-<key>-enc<ordinal>. */
  ordinal: number;
  /** Claims billing this visit (the original and its correction). */
  claimOrdinals: number[];
  kind: EncounterKind;
  /** v3 ActCode: AMB, EMER, IMP. */
  actClass: 'AMB' | 'EMER' | 'IMP';
  /** What was billed for the visit: the first line's code (CPT/HCPCS/CDT) or, when none, the revenue code. */
  type: CodeFact;
  start: IsoDate;
  /** Last day of the visit; for a visit still going on at the run's "now", now itself. */
  end: IsoDate;
  /** The visit goes on past now (a stay not yet discharged): the Encounter is in progress, with no end. */
  inProgress?: boolean;
  /** Rendering or attending practitioner. */
  practitionerId?: string;
  /** Where it happened: the facility, else the billing provider. */
  organizationId: string;
  /** The claim's ICD-10-CM diagnoses, principal first. */
  diagnoses: { icd10cm: string; display: string; conditionKey?: string }[];
  /** NUBC discharge status, inpatient only (and not while the stay goes on). */
  dischargeStatus?: string;
}

/** Everything a clinical domain may read to simulate its facts. */
export interface ClinicalInput {
  /** The member's one generator; domains draw from it in a fixed order. */
  rng: Rng;
  profile: Profile;
  codeMaps: CodeMaps;
  directory: Directory;
  /** The story so far (person, coverages, conditions, claims). */
  story: Omit<MemberStory, 'clinical'>;
  encounters: EncounterFact[];
  /** Last day the member is alive and enrolled within the period, and not after now. */
  lastDay: IsoDate;
  /** The run's "now": nothing in the record is dated after it. */
  now: IsoDate;
}

export interface ClinicalFacts {
  encounters: EncounterFact[];
  care: CareFacts;
  labsVitals: LabsVitalsFacts;
  medications: MedicationFacts;
  planning: PlanningFacts;
  social: SocialFacts;
}
