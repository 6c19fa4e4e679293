import type { Observation } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { simpleVital, vitalProfiles } from './vital-sign.js';

/** Body weight of one visit (profile us-core-body-weight). */
export function buildUsCoreBodyWeight(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  return simpleVital(story, vitals, ctx, 'body-weight', 'weight', vitalProfiles(ctx, 'us-core-body-weight', 'bodyweight'));
}
