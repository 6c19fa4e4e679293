import { ageOn } from '../../util/dates.js';
import { recordedAt, type RecordedAt } from './social-screening.js';
import type { ClinicalInput, EncounterFact } from './types.js';

/** A parent as the member reports them: living at `age`, or dead at an age band (index into the age-at-death answers). */
export type RelativeFact = { relative: number; living: true; age: number } | { relative: number; living: false; ageAtDeath: number };

/** A family health history (US Surgeon General Family Health Portrait), the member's parents. */
export interface FamilyHistoryFact extends RecordedAt {
  relatives: RelativeFact[];
}

/** Parents' age at the member's birth, and the chance a parent of a given age has died. */
const PARENT_AGE_AT_BIRTH = { min: 20, max: 40 };
function deathChance(age: number): number {
  return age >= 95 ? 1 : age >= 80 ? 0.55 : age >= 65 ? 0.2 : 0.05;
}

/** Taken at the history visit of every eighth member (index rule: member 0 is an adult with visits in every population). */
export function simulateFamilyHistory(input: ClinicalInput, history: EncounterFact | undefined): FamilyHistoryFact[] {
  const { story, rng } = input;
  if (!history || story.index % 8 !== 0) return [];
  const inst = input.codeMaps.clinical.social.ussgFht;
  const memberAge = ageOn(story.member.birthDate, history.start);
  const relatives = inst.relatives.map((_, relative): RelativeFact => {
    const age = memberAge + rng.int(PARENT_AGE_AT_BIRTH.min, PARENT_AGE_AT_BIRTH.max);
    if (age < inst.ageAtDeath.answers[0]!.minAge || !rng.chance(deathChance(age))) return { relative, living: true, age };
    const diedAt = rng.int(Math.min(age, Math.max(inst.ageAtDeath.answers[0]!.minAge, memberAge + PARENT_AGE_AT_BIRTH.min)), age);
    let band = 0;
    inst.ageAtDeath.answers.forEach((a, i) => {
      if (diedAt >= a.minAge) band = i;
    });
    return { relative, living: false, ageAtDeath: band };
  });
  return [{ ...recordedAt(history), relatives }];
}
