import type { Observation } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { factConcept, loincConcept, observationBase, SOCIAL_HISTORY } from './social-common.js';

/** The code the profile fixes. */
const PREGNANCY_STATUS = { code: '82810-3', display: 'Pregnancy status' };

/** US Core Pregnancy Status (6.1.0 only): females 15–50, at the history visit. */
export function buildUsCoreObservationPregnancyStatus(story: MemberStory, ctx: BuildContext): Observation[] {
  const fact = story.clinical.social.pregnancyStatus;
  if (!fact || ctx.usCoreVersion !== '6.1.0') return [];
  return [{
    ...observationBase(story, ctx, 'us-core-observation-pregnancystatus', 'preg1', fact),
    category: [SOCIAL_HISTORY],
    code: loincConcept(PREGNANCY_STATUS),
    valueCodeableConcept: factConcept(fact.value),
  }];
}
