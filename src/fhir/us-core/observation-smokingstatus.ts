import type { Observation } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import { socialCode } from '../../story/clinical/social-patient.js';
import type { BuildContext } from '../context.js';
import { factConcept, loincConcept, observationBase, SOCIAL_HISTORY } from './social-common.js';

/** US Core Smoking Status (3.1.1 and 6.1.0): the member's tobacco use, taken at the history visit. */
export function buildUsCoreSmokingStatus(story: MemberStory, ctx: BuildContext): Observation[] {
  const fact = story.clinical.social.smokingStatus;
  if (!fact) return [];
  return [{
    ...observationBase(story, ctx, 'us-core-smokingstatus', 'smoke1', fact),
    category: [SOCIAL_HISTORY],
    // The code the profile binds (us-core-smoking-status-observation-codes, in 3.1.1 and 6.1.0).
    code: loincConcept(socialCode(ctx.codeMaps.clinical.social, 'observation-code', 'smoking-status')),
    // 3.1.1 marks issued must-support: the record was signed at the end of the visit day.
    ...(ctx.usCoreVersion === '3.1.1' ? { issued: `${fact.date}T17:00:00Z` } : {}),
    valueCodeableConcept: factConcept(fact.value),
  }];
}
