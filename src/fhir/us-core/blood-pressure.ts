import type { Observation, ObservationComponent } from '@medplum/fhirtypes';
import type { VitalKey, VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { loincCode, NOT_PERFORMED, quantity, vitalFrame, vitalProfiles, vitalRow } from './vital-sign.js';

/** Blood pressure of one visit: systolic and diastolic components; a reading not taken has dataAbsentReason. */
export function buildUsCoreBloodPressure(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  if (!('systolic' in vitals.measures) && !('diastolic' in vitals.measures)) return undefined;
  const component = (key: VitalKey): ObservationComponent => {
    const row = vitalRow(ctx, key);
    const value = vitals.measures[key];
    return { code: loincCode(row), ...(value === undefined ? { dataAbsentReason: NOT_PERFORMED } : { valueQuantity: quantity(value, row.unit) }) };
  };
  const components = [component('systolic'), component('diastolic')];
  const none = components.every((c) => c.dataAbsentReason);
  return {
    ...vitalFrame(story, vitals, ctx, 'bp', vitalProfiles(ctx, 'us-core-blood-pressure', 'bp'), loincCode(vitalRow(ctx, 'blood-pressure'))),
    ...(none ? { dataAbsentReason: NOT_PERFORMED } : {}),
    component: components,
  };
}
