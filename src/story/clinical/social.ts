import { addDays, ageOn, maxDate } from '../../util/dates.js';
import type { IsoDate } from '../types.js';
import { drawSocialCode, simulatePatientSocial, socialCode, type PatientSocialFacts } from './social-patient.js';
import { historyVisit, recordedAt, simulateHvs, simulatePhq9, type HvsFact, type Phq9Fact, type RecordedAt } from './social-screening.js';
import { simulateFamilyHistory, type FamilyHistoryFact } from './social-family.js';
import { simulatePrapare, type PrapareAnswer, type PrapareFact } from './social-prapare.js';
import { simulateTaps, type TapsFact } from './social-taps.js';
import { simulateEvs, type EvsFact } from './social-evs.js';
import { simulateWellnessStatus, type WellnessStatusFact } from './social-wellness.js';
import type { ClinicalInput, CodeFact } from './types.js';

export type { EvsFact, FamilyHistoryFact, HvsFact, PatientSocialFacts, Phq9Fact, PrapareAnswer, PrapareFact, RecordedAt, TapsFact, WellnessStatusFact };

export interface CodedObservationFact extends RecordedAt {
  value: CodeFact;
}

export interface OccupationFact extends RecordedAt {
  occupation: CodeFact;
  industry?: CodeFact;
  /** When the member started this work (effectivePeriod.start). */
  since: IsoDate;
}

/** A social-risk finding recorded yes/no (US Core simple observation, SDOH category). */
export interface SdohFindingFact extends RecordedAt {
  finding: CodeFact;
  present: boolean;
}

/**
 * A social-risk health concern the screening answers imply (US Core Condition Problems and Health
 * Concerns, category sdoh): food insecurity from a positive Hunger Vital Sign. Recorded at that
 * screening's visit; still active (nothing in the record resolves it).
 */
export interface SdohConcernFact extends RecordedAt {
  /** SNOMED CT finding (social-values.json group sdoh-condition). */
  concern: CodeFact;
  /** ICD-10-CM code, when the code existed at the visit (Z59.41 from 2022-10-01). */
  icd10cm?: CodeFact;
}

/** ICD-10-CM Z59.41 (Food insecurity) took effect with the FY2023 code set. */
const Z59_41_FROM = '2022-10-01';

export interface SocialFacts {
  patient: PatientSocialFacts;
  /** Age 13 and over at the history visit. */
  smokingStatus?: CodedObservationFact;
  /** Adults of working age (18–66). */
  occupation?: OccupationFact;
  /** Females 15–50. */
  pregnancyStatus?: CodedObservationFact;
  pregnancyIntent?: CodedObservationFact;
  /** Adults (18 and over). */
  sexualOrientation?: CodedObservationFact;
  phq9: Phq9Fact[];
  hvs: HvsFact[];
  /** One per Hunger Vital Sign screening: the transportation question asked alongside it. */
  sdohFindings: SdohFindingFact[];
  /** At most one: from the first Hunger Vital Sign at risk. */
  sdohConcerns: SdohConcernFact[];
  /** Adults, at the history visit of every fourth member. */
  prapare: PrapareFact[];
  /** Every eighth member, at the history visit. */
  familyHistory: FamilyHistoryFact[];
  /** Adults: substance use screening (TAPS) at the yearly preventive visit. */
  taps: TapsFact[];
  /** Members 65 and over: functional and cognitive status at the yearly preventive (annual wellness) visit. */
  wellness: WellnessStatusFact[];
  /** Adults: the Exercise Vital Sign at the yearly preventive visit. */
  evs: EvsFact[];
}

const TEEN_SMOKING = ['never', 'some-day', 'former'];

/**
 * Social history and screening, taken at the member's visits (the encounters behind the claims).
 * Draws happen in a fixed order: patient facts, then each observation, then the screenings.
 */
export function simulateSocial(input: ClinicalInput): SocialFacts {
  const { rng, story } = input;
  const maps = input.codeMaps.clinical.social;
  const patient = simulatePatientSocial(input);
  const history = historyVisit(input.encounters);
  const facts: SocialFacts = { patient, phq9: [], hvs: [], sdohFindings: [], sdohConcerns: [], prapare: [], familyHistory: [], taps: [], wellness: [], evs: [] };
  if (history) {
    const at = recordedAt(history);
    const age = ageOn(story.member.birthDate, at.date);
    if (age >= 13) facts.smokingStatus = { ...at, value: drawSocialCode(input, 'smoking-status', age < 18 ? TEEN_SMOKING : undefined) };
    if (age >= 18 && age <= 66) {
      const known = story.index % 3 === 0 || rng.chance(0.3);
      const since = maxDate(addDays(story.member.birthDate, 18 * 366), addDays(at.date, -rng.int(180, 15 * 365)));
      facts.occupation = known
        ? { ...at, occupation: drawSocialCode(input, 'occupation', ['cna']), industry: drawSocialCode(input, 'industry'), since }
        : { ...at, occupation: socialCode(maps, 'occupation', 'unknown'), since };
    }
    if (story.member.sex === 'female' && age >= 15 && age <= 50) {
      const pregnant = rng.chance(0.06);
      facts.pregnancyStatus = { ...at, value: socialCode(maps, 'pregnancy-status', pregnant ? 'pregnant' : rng.chance(0.85) ? 'not-pregnant' : 'unknown') };
      if (!pregnant) facts.pregnancyIntent = { ...at, value: socialCode(maps, 'pregnancy-intent', rng.chance(0.4) ? 'not-sure' : 'unknown') };
    }
    if (age >= 18) facts.sexualOrientation = { ...at, value: drawSocialCode(input, 'sexual-orientation') };
  }
  facts.phq9 = simulatePhq9(input, history);
  facts.hvs = simulateHvs(input, history);
  const medicaid = story.coverages.some((c) => c.planType === 'medicaid');
  const finding = socialCode(maps, 'sdoh-finding', 'transport-too-expensive');
  facts.sdohFindings = facts.hvs.map((h) => ({ date: h.date, encounterOrdinal: h.encounterOrdinal, ...(h.practitionerId ? { practitionerId: h.practitionerId } : {}), finding, present: rng.chance(medicaid ? 0.25 : 0.06) }));
  facts.sdohConcerns = sdohConcerns(input, facts.hvs);
  facts.prapare = simulatePrapare(input, history);
  facts.familyHistory = simulateFamilyHistory(input, history);
  facts.taps = simulateTaps(input, history, facts.smokingStatus?.value);
  facts.wellness = simulateWellnessStatus(input);
  facts.evs = simulateEvs(input, history);
  return facts;
}

/** Food insecurity as a health concern, recorded at the first Hunger Vital Sign at risk (no draw). */
function sdohConcerns(input: ClinicalInput, hvs: readonly HvsFact[]): SdohConcernFact[] {
  const first = hvs.find((h) => h.atRisk);
  if (!first) return [];
  const maps = input.codeMaps.clinical.social;
  return [{
    date: first.date,
    encounterOrdinal: first.encounterOrdinal,
    ...(first.practitionerId ? { practitionerId: first.practitionerId } : {}),
    concern: socialCode(maps, 'sdoh-condition', 'food-insecurity'),
    ...(first.date >= Z59_41_FROM ? { icd10cm: socialCode(maps, 'sdoh-condition-icd10cm', 'food-insecurity') } : {}),
  }];
}
