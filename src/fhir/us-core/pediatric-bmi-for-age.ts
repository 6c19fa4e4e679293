import type { Observation } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { simpleVital, vitalProfiles } from './vital-sign.js';

/** BMI-for-age percentile (ages 2-20) of one visit (profile pediatric-bmi-for-age). */
export function buildPediatricBmiForAge(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  return simpleVital(story, vitals, ctx, 'bmi-for-age-percentile', 'bmipct', vitalProfiles(ctx, 'pediatric-bmi-for-age'));
}
