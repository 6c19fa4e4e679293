import type { Observation } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { simpleVital, vitalProfiles } from './vital-sign.js';

/** Body mass index, weight over height squared of one visit (profile us-core-bmi). */
export function buildUsCoreBmi(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  // The base R4 bmi profile that 3.1.1 claims requires a valueQuantity: no BMI is recorded when it could not be computed.
  if (ctx.usCoreVersion === '3.1.1' && vitals.measures.bmi === undefined) return undefined;
  return simpleVital(story, vitals, ctx, 'bmi', 'bmi', vitalProfiles(ctx, 'us-core-bmi', 'bmi'));
}
