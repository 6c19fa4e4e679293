import type { Observation } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { factConcept, loincConcept, observationBase, SOCIAL_HISTORY } from './social-common.js';

/** The code the profile fixes. */
const PREGNANCY_INTENTION = { code: '86645-9', display: 'Pregnancy intention in the next year - Reported' };

/** US Core Pregnancy Intent (6.1.0 only): females 15–50 who are not pregnant, at the history visit. */
export function buildUsCoreObservationPregnancyIntent(story: MemberStory, ctx: BuildContext): Observation[] {
  const fact = story.clinical.social.pregnancyIntent;
  if (!fact || ctx.usCoreVersion !== '6.1.0') return [];
  return [{
    ...observationBase(story, ctx, 'us-core-observation-pregnancyintent', 'pregint1', fact),
    category: [SOCIAL_HISTORY],
    code: loincConcept(PREGNANCY_INTENTION),
    valueCodeableConcept: factConcept(fact.value),
  }];
}
