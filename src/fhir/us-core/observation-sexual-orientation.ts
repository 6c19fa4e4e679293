import type { Observation } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { factConcept, loincConcept, observationBase, SOCIAL_HISTORY } from './social-common.js';

/** The code the profile fixes. */
const SEXUAL_ORIENTATION = { code: '76690-7', display: 'Sexual orientation' };

/** US Core Sexual Orientation (6.1.0 only): adults, at the history visit. */
export function buildUsCoreObservationSexualOrientation(story: MemberStory, ctx: BuildContext): Observation[] {
  const fact = story.clinical.social.sexualOrientation;
  if (!fact || ctx.usCoreVersion !== '6.1.0') return [];
  return [{
    ...observationBase(story, ctx, 'us-core-observation-sexual-orientation', 'sexor1', fact),
    category: [SOCIAL_HISTORY],
    code: loincConcept(SEXUAL_ORIENTATION),
    valueCodeableConcept: factConcept(fact.value),
  }];
}
