import type { Observation } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { simpleVital, vitalProfiles } from './vital-sign.js';

/** Heart rate of one visit (profile us-core-heart-rate). */
export function buildUsCoreHeartRate(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  return simpleVital(story, vitals, ctx, 'heart-rate', 'hr', vitalProfiles(ctx, 'us-core-heart-rate', 'heartrate'));
}
