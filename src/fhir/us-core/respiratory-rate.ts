import type { Observation } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { simpleVital, vitalProfiles } from './vital-sign.js';

/** Respiratory rate of one visit (profile us-core-respiratory-rate). */
export function buildUsCoreRespiratoryRate(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  return simpleVital(story, vitals, ctx, 'respiratory-rate', 'rr', vitalProfiles(ctx, 'us-core-respiratory-rate', 'resprate'));
}
