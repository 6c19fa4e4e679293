import { ageOn } from '../../util/dates.js';
import { socialCode } from './social-patient.js';
import { recordedAt, yearlyPreventive, type RecordedAt } from './social-screening.js';
import type { ClinicalInput, CodeFact } from './types.js';

/**
 * What the clinician records at a Medicare annual wellness visit (42 CFR 410.15: a review of the
 * member's functional ability and level of safety, and detection of any cognitive impairment).
 */
export interface WellnessStatusFact extends RecordedAt {
  /** The observation code (social-values.json observation-code functional-status / cognitive-status). */
  code: CodeFact;
  category: 'functional-status' | 'cognitive-status';
  /** A coded finding (independent with dressing) or the clinician's narrative. */
  value: { finding: CodeFact } | { text: string };
}

/** Narratives of members who need help (functional) and of the cognitive history taken at every visit. */
const NEEDS_HELP = [
  'Needs help with bathing and dressing; walks with a cane; one fall in the past year.',
  'Independent in dressing and eating; needs help with shopping and housework; uses a walker outdoors.',
];
const COGNITION_INTACT = 'Alert and oriented x 3. Independent in household finances, medications and community activities; coherent and appropriate communication.';
const COGNITION_CONCERN = 'Alert and oriented x 3. Family reports forgetting appointments and repeating questions over the past year; manages medications with a pill organizer. Further cognitive assessment offered.';

/**
 * Functional and cognitive status (US Core simple observations, categories functional-status and
 * cognitive-status) for members 65 and over at their yearly preventive visit. Needing help grows with
 * age (7% under 75, 15% under 85, 30% from 85); cognitive concerns 5%, 10%, 20%.
 */
export function simulateWellnessStatus(input: ClinicalInput): WellnessStatusFact[] {
  const { story, rng } = input;
  const maps = input.codeMaps.clinical.social;
  const facts: WellnessStatusFact[] = [];
  for (const e of yearlyPreventive(input.encounters)) {
    const age = ageOn(story.member.birthDate, e.start);
    if (age < 65) continue;
    const band = age >= 85 ? 2 : age >= 75 ? 1 : 0;
    const at = recordedAt(e);
    const needsHelp = rng.chance([0.07, 0.15, 0.3][band]!);
    facts.push({
      ...at,
      code: socialCode(maps, 'observation-code', 'functional-status'),
      category: 'functional-status',
      value: needsHelp ? { text: rng.pick(NEEDS_HELP) } : { finding: socialCode(maps, 'functional-finding', 'independent-dressing') },
    });
    facts.push({
      ...at,
      code: socialCode(maps, 'observation-code', 'cognitive-status'),
      category: 'cognitive-status',
      value: { text: rng.chance([0.05, 0.1, 0.2][band]!) ? COGNITION_CONCERN : COGNITION_INTACT },
    });
  }
  return facts;
}
