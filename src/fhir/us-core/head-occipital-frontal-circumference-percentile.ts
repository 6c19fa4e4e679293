import type { Observation } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { simpleVital, vitalProfiles } from './vital-sign.js';

/** Head circumference percentile (under 3) of one visit (profile head-occipital-frontal-circumference-percentile). */
export function buildHeadCircumferencePercentile(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  return simpleVital(story, vitals, ctx, 'head-circumference-percentile', 'headpct', vitalProfiles(ctx, 'head-occipital-frontal-circumference-percentile'));
}
