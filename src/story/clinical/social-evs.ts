import { ageOn } from '../../util/dates.js';
import { recordedAt, yearlyPreventive, type RecordedAt } from './social-screening.js';
import type { ClinicalInput, EncounterFact } from './types.js';

/**
 * An Exercise Vital Sign: days per week of moderate to strenuous exercise (0–7) and, only when that is
 * above zero, the usual minutes per day (the follow-up question is not asked of a member who does not exercise).
 */
export interface EvsFact extends RecordedAt {
  daysPerWeek: number;
  minutesPerDay?: number;
}

/**
 * The EVS for adults (18 and over) at the yearly preventive visit and, by index rule, at the history visit
 * of every fourth member (index 2, 6, …) so that a population always has some. Answers drawn from the
 * instrument's weights (code-maps/social-instruments.json evs).
 */
export function simulateEvs(input: ClinicalInput, history: EncounterFact | undefined): EvsFact[] {
  const { story, rng } = input;
  const evs = input.codeMaps.clinical.social.evs;
  const visits = new Set<EncounterFact>(yearlyPreventive(input.encounters));
  if (history && story.index % 4 === 2) visits.add(history);
  const days = evs.dayWeights.map((_, d) => d);
  const facts: EvsFact[] = [];
  for (const e of [...visits].sort((a, b) => a.ordinal - b.ordinal)) {
    if (ageOn(story.member.birthDate, e.start) < 18) continue;
    const daysPerWeek = rng.weighted(days, (d) => evs.dayWeights[d]!);
    facts.push({
      ...recordedAt(e),
      daysPerWeek,
      ...(daysPerWeek > 0 ? { minutesPerDay: rng.weighted(evs.minuteWeights, (m) => m.weight).minutes } : {}),
    });
  }
  return facts;
}
