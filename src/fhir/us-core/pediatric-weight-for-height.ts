import type { Observation } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { simpleVital, vitalProfiles } from './vital-sign.js';

/** Weight-for-length percentile (under 3) of one visit (profile pediatric-weight-for-height). */
export function buildPediatricWeightForHeight(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  return simpleVital(story, vitals, ctx, 'weight-for-length-percentile', 'wflpct', vitalProfiles(ctx, 'pediatric-weight-for-height'));
}
