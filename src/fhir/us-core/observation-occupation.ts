import type { Observation } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { factConcept, loincConcept, observationBase, SOCIAL_HISTORY } from './social-common.js';

/** Codes the profile fixes (Observation.code and the industry component's code). */
const HISTORY_OF_OCCUPATION = { code: '11341-5', display: 'History of Occupation' };
const HISTORY_OF_OCCUPATION_INDUSTRY = { code: '86188-0', display: 'History of Occupation Industry' };

/** US Core Occupation (6.1.0 only): the member's work and industry since `since`. */
export function buildUsCoreObservationOccupation(story: MemberStory, ctx: BuildContext): Observation[] {
  const fact = story.clinical.social.occupation;
  if (!fact || ctx.usCoreVersion !== '6.1.0') return [];
  const { effectiveDateTime: _recorded, ...base } = observationBase(story, ctx, 'us-core-observation-occupation', 'occ1', fact);
  return [{
    ...base,
    category: [SOCIAL_HISTORY],
    code: loincConcept(HISTORY_OF_OCCUPATION),
    effectivePeriod: { start: fact.since },
    issued: `${fact.date}T17:00:00Z`,
    valueCodeableConcept: factConcept(fact.occupation),
    ...(fact.industry ? { component: [{ code: loincConcept(HISTORY_OF_OCCUPATION_INDUSTRY), valueCodeableConcept: factConcept(fact.industry) }] } : {}),
  }];
}
