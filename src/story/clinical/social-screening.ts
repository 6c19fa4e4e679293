import { ageOn } from '../../util/dates.js';
import type { IsoDate } from '../types.js';
import type { ClinicalInput, EncounterFact } from './types.js';

/** Where and when a social or screening fact was recorded: a visit of the member. */
export interface RecordedAt {
  date: IsoDate;
  encounterOrdinal: number;
  practitionerId?: string;
}

/** A PHQ-9: the nine item scores (0–3, in the instrument's item order); the total is their sum. */
export interface Phq9Fact extends RecordedAt {
  itemScores: number[];
  total: number;
  /**
   * The follow-up "how difficult" question: an index into its answers, or why it has none (it is
   * asked only when some problem was checked; a member may decline it).
   */
  difficulty: number | 'not-applicable' | 'asked-declined';
}

/** A Hunger Vital Sign: each item's answer (an index into the instrument's answers) and the risk they imply. */
export interface HvsFact extends RecordedAt {
  answers: number[];
  atRisk: boolean;
}

const DEPRESSION = 'depression';
/** PHQ-9 item score weights (0..3): a member treated for depression, and everyone else. */
const DEPRESSED_WEIGHTS = [2, 3, 3, 2];
const SCREEN_WEIGHTS = [14, 4, 1.2, 0.4];
/** Item 9 (thoughts of self-harm) is endorsed far less often than the others. */
const SELF_HARM_WEIGHTS = [20, 2, 0.5, 0.2];

export function recordedAt(e: EncounterFact): RecordedAt {
  return { date: e.start, encounterOrdinal: e.ordinal, ...(e.practitionerId ? { practitionerId: e.practitionerId } : {}) };
}

/** The visit a history is taken at: the first preventive visit, else the first office visit, else the first medical visit. */
export function historyVisit(encounters: readonly EncounterFact[]): EncounterFact | undefined {
  const medical = encounters.filter((e) => e.kind !== 'dental');
  return medical.find((e) => e.kind === 'preventive') ?? medical.find((e) => e.kind === 'office') ?? medical[0];
}

/** Follows the total (the answer with the highest threshold reached); every seventh member declines it. */
function difficultyOf(input: ClinicalInput, total: number): Phq9Fact['difficulty'] {
  if (total === 0) return 'not-applicable';
  if (input.story.index % 7 === 3) return 'asked-declined';
  const answers = input.codeMaps.clinical.social.phq9.difficulty.answers;
  let chosen = 0;
  answers.forEach((a, i) => {
    if (total >= a.minTotal) chosen = i;
  });
  return chosen;
}

/** The first preventive visit of each calendar year: a yearly screening, not one per billed preventive line. */
export function yearlyPreventive(encounters: readonly EncounterFact[]): EncounterFact[] {
  const seen = new Set<string>();
  return encounters.filter((e) => {
    if (e.kind !== 'preventive' || seen.has(e.start.slice(0, 4))) return false;
    seen.add(e.start.slice(0, 4));
    return true;
  });
}

function drawScore(input: ClinicalInput, weights: readonly number[]): number {
  return input.rng.weighted([0, 1, 2, 3], (s) => weights[s] ?? 0);
}

/**
 * PHQ-9 for members 12 and over: at the yearly preventive visit, at the first visit treating depression,
 * and (index rule) at the history visit of every fifth member so the population always has some.
 */
export function simulatePhq9(input: ClinicalInput, history: EncounterFact | undefined): Phq9Fact[] {
  const { story, encounters } = input;
  const depressed = story.conditions.some((c) => c.key === DEPRESSION);
  const visits = new Set<EncounterFact>(yearlyPreventive(encounters));
  const depressionVisit = encounters.find((e) => e.kind !== 'dental' && e.diagnoses.some((d) => d.conditionKey === DEPRESSION));
  if (depressionVisit) visits.add(depressionVisit);
  if (history && story.index % 5 === 0) visits.add(history);
  const facts: Phq9Fact[] = [];
  for (const e of [...visits].sort((a, b) => a.ordinal - b.ordinal)) {
    if (ageOn(story.member.birthDate, e.start) < 12) continue;
    const weights = depressed ? DEPRESSED_WEIGHTS : SCREEN_WEIGHTS;
    const itemScores = Array.from({ length: 9 }, (_, i) => drawScore(input, i === 8 ? SELF_HARM_WEIGHTS : weights));
    const total = itemScores.reduce((s, x) => s + x, 0);
    facts.push({ ...recordedAt(e), itemScores, total, difficulty: difficultyOf(input, total) });
  }
  return facts;
}

/** Hunger Vital Sign for adults at their yearly preventive visit (and, by index rule, at the history visit). */
export function simulateHvs(input: ClinicalInput, history: EncounterFact | undefined): HvsFact[] {
  const { story, encounters } = input;
  const medicaid = story.coverages.some((c) => c.planType === 'medicaid');
  const visits = new Set<EncounterFact>(yearlyPreventive(encounters));
  if (history && story.index % 4 === 2) visits.add(history);
  const hvs = input.codeMaps.clinical.social.hvs;
  // Answer weights in the instrument's answer order: often, sometimes, never true.
  const weights = medicaid ? [2, 3, 5] : [0.5, 1, 8.5];
  const facts: HvsFact[] = [];
  for (const e of [...visits].sort((a, b) => a.ordinal - b.ordinal)) {
    if (ageOn(story.member.birthDate, e.start) < 18) continue;
    const answers = hvs.items.map(() => input.rng.weighted(hvs.answers.map((_, i) => i), (a) => weights[a] ?? 0));
    facts.push({ ...recordedAt(e), answers, atRisk: answers.some((a) => hvs.answers[a]?.atRisk === true) });
  }
  return facts;
}
