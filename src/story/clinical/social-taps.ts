import { ageOn } from '../../util/dates.js';
import { recordedAt, yearlyPreventive, type RecordedAt } from './social-screening.js';
import type { ClinicalInput, CodeFact, EncounterFact } from './types.js';

/**
 * A TAPS screen (part 1): each answer an index into the instrument's frequency answers. The drinking
 * question is the one the tool asks the member's sex; the prescription answer is written as text.
 */
export interface TapsFact extends RecordedAt {
  tobacco: number;
  drinking: number;
  drugs: number;
  prescription: number;
}

/**
 * TAPS for adults (18 and over) at the yearly preventive visit and, by index rule, at the history visit
 * of every fourth member (index 1, 5, …) so a population always has some. The tobacco answer follows the
 * member's smoking status; the others are drawn.
 */
export function simulateTaps(input: ClinicalInput, history: EncounterFact | undefined, smokingStatus: CodeFact | undefined): TapsFact[] {
  const { story, rng } = input;
  const taps = input.codeMaps.clinical.social.taps;
  const visits = new Set<EncounterFact>(yearlyPreventive(input.encounters));
  if (history && story.index % 4 === 1) visits.add(history);
  const never = taps.answers.length - 1;
  const tobacco = smokingStatus ? (taps.tobaccoBySmokingStatus[smokingStatus.code] ?? never) : never;
  const indices = taps.answers.map((_, i) => i);
  const facts: TapsFact[] = [];
  for (const e of [...visits].sort((a, b) => a.ordinal - b.ordinal)) {
    if (ageOn(story.member.birthDate, e.start) < 18) continue;
    facts.push({
      ...recordedAt(e),
      tobacco,
      drinking: rng.weighted(indices, (i) => taps.answers[i]!.drinking),
      drugs: rng.weighted(indices, (i) => taps.answers[i]!.drugs),
      prescription: rng.weighted(indices, (i) => taps.answers[i]!.prescription),
    });
  }
  return facts;
}
