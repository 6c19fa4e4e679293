import type { Observation } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { factConcept, observationBase, performer, usCoreCategory } from './social-common.js';

/**
 * US Core Simple Observation (6.1.0 only): a social-risk finding asked alongside each Hunger Vital
 * Sign (transportation cost), recorded present or absent as in the US Core SDOH example; and the
 * functional and cognitive status of annual wellness visits.
 */
export function buildUsCoreSimpleObservation(story: MemberStory, ctx: BuildContext): Observation[] {
  if (ctx.usCoreVersion !== '6.1.0') return [];
  return [...sdohFindings(story, ctx), ...wellnessStatus(story, ctx)];
}

/**
 * Functional status (coded finding or narrative) and cognitive status (narrative) recorded by the
 * clinician at a 65-and-over member's annual wellness visit, as US Core's simple observation examples
 * (functional-status 75276-6, cognitive-status 11332-4). Ids fs-<key>-wellness<n>.
 */
function wellnessStatus(story: MemberStory, ctx: BuildContext): Observation[] {
  return story.clinical.social.wellness.map((f, i) => {
    const by = performer(f);
    return {
      ...observationBase(story, ctx, 'us-core-simple-observation', `wellness${i + 1}`, f),
      category: [usCoreCategory(f.category)],
      code: factConcept(f.code),
      ...(by ? { performer: by } : {}),
      ...('finding' in f.value ? { valueCodeableConcept: factConcept(f.value.finding) } : { valueString: f.value.text }),
    };
  });
}

function sdohFindings(story: MemberStory, ctx: BuildContext): Observation[] {
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
