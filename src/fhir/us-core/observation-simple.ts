import type { Observation } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { factConcept, observationBase, performer, usCoreCategory } from './social-common.js';

/**
 * US Core Simple Observation (6.1.0 only): a social-risk finding asked alongside each Hunger Vital
 * Sign (transportation cost), recorded present or absent as in the US Core SDOH example.
 */
export function buildUsCoreSimpleObservation(story: MemberStory, ctx: BuildContext): Observation[] {
  if (ctx.usCoreVersion !== '6.1.0') return [];
  return story.clinical.social.sdohFindings.map((f, i) => {
    const by = performer(f);
    return {
      ...observationBase(story, ctx, 'us-core-simple-observation', `sdoh${i + 1}`, f),
      category: [usCoreCategory('sdoh')],
      code: factConcept(f.finding),
      ...(by ? { performer: by } : {}),
      valueBoolean: f.present,
    };
  });
}
