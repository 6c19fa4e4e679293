import type { Observation } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { simpleVital, vitalProfiles } from './vital-sign.js';

/** Head circumference (children under 3) of one visit (profile us-core-head-circumference). */
export function buildUsCoreHeadCircumference(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  return simpleVital(story, vitals, ctx, 'head-circumference', 'headcirc', vitalProfiles(ctx, 'us-core-head-circumference', 'headcircum'));
}
