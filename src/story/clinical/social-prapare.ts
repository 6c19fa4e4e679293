import type { PrapareDerivation, PrapareQuestion } from '../../codemaps/clinical-social.js';
import { ageOn } from '../../util/dates.js';
import { recordedAt, type RecordedAt } from './social-screening.js';
import type { ClinicalInput, EncounterFact } from './types.js';

/** One PRAPARE answer: indices into the question's answers (none checked: empty), a number, or free text. */
export type PrapareAnswer = { choices: number[] } | { value: number } | { text: string };

/** A PRAPARE screening: per group (instrument order), each question's answer (question order). */
export interface PrapareFact extends RecordedAt {
  groups: PrapareAnswer[][];
}

/** A repeating question gets a second answer this often (e.g. two unmet needs). */
const SECOND_ANSWER = 0.3;

/** What the story already knows about the member for a derived question. */
function known(input: ClinicalInput, what: PrapareDerivation, date: string): string {
  const { member, coverages } = input.story;
  switch (what) {
    case 'race': return member.race.code;
    case 'ethnicity': return member.ethnicity.code;
    case 'language': return member.language.code;
    case 'address': return member.address.line[0] ?? member.address.city;
    case 'insurance': {
      const medical = coverages.filter((c) => c.planType !== 'dental');
      const active = medical.find((c) => c.start <= date && (!c.end || c.end >= date)) ?? medical[0];
      return active?.planType ?? '';
    }
  }
}

function choose(input: ClinicalInput, q: PrapareQuestion, date: string): number[] {
  const answers = q.answers ?? [];
  if (q.derive) {
    const value = known(input, q.derive, date);
    const i = answers.findIndex((a) => a.matches?.includes(value));
    // A value the answer list has no option for: the option that stands for no value (e.g. "Other").
    return [i >= 0 ? i : Math.max(0, answers.findIndex((a) => !a.matches))];
  }
  const indices = answers.map((_, i) => i);
  if (q.noneWeight && input.rng.chance(q.noneWeight / (q.noneWeight + answers.reduce((s, a) => s + (a.weight ?? 0), 0)))) return [];
  const first = input.rng.weighted(indices, (i) => answers[i]?.weight ?? 0);
  if (!q.repeats || answers[first]?.exclusive || !input.rng.chance(SECOND_ANSWER)) return [first];
  // An answer of weight 0 is never drawn, as a second answer either.
  const rest = indices.filter((i) => i !== first && !answers[i]?.exclusive && (answers[i]?.weight ?? 0) > 0);
  return rest.length ? [first, input.rng.weighted(rest, (i) => answers[i]?.weight ?? 0)].sort((a, b) => a - b) : [first];
}

function answer(input: ClinicalInput, q: PrapareQuestion, date: string): PrapareAnswer {
  if (q.type === 'choice') return { choices: choose(input, q, date) };
  if (q.type === 'string') return { text: known(input, q.derive ?? 'address', date) };
  const range = q.range ?? { min: 0, max: 0, step: 1 };
  return { value: range.min + range.step * input.rng.int(0, Math.floor((range.max - range.min) / range.step)) };
}

/**
 * PRAPARE for adults, at the history visit of every fourth member (index rule: members 0 and 4 are
 * adults by the showcase plan, so every population has at least two).
 */
export function simulatePrapare(input: ClinicalInput, history: EncounterFact | undefined): PrapareFact[] {
  const { story } = input;
  if (!history || story.index % 4 !== 0 || ageOn(story.member.birthDate, history.start) < 18) return [];
  const inst = input.codeMaps.clinical.social.prapare;
  const groups = inst.groups.map((g) => g.questions.map((q) => answer(input, q, history.start)));
  return [{ ...recordedAt(history), groups }];
}
