import type { Observation, ObservationComponent } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { loincCode, NOT_PERFORMED, quantity, UNKNOWN, vitalFrame, vitalProfiles, vitalRow } from './vital-sign.js';

/**
 * Pulse oximetry of one visit, coded both as 59408-5 and 2708-6; during an admission the
 * supplemental oxygen's flow rate and concentration are components.
 */
export function buildUsCorePulseOximetry(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Observation | undefined {
  if (!('pulse-oximetry' in vitals.measures)) return undefined;
  const pulseOx = vitalRow(ctx, 'pulse-oximetry');
  const o2Sat = vitalRow(ctx, 'oxygen-saturation');
  const value = vitals.measures['pulse-oximetry'];
  const code = {
    coding: [pulseOx, o2Sat].map((r) => ({ system: SYSTEMS.loinc, code: r.loinc.code, display: r.loinc.display })),
    text: pulseOx.loinc.display,
  };
  const components: ObservationComponent[] = [];
  if (vitals.oxygen) {
    const flow = vitalRow(ctx, 'inhaled-oxygen-flow-rate');
    const conc = vitalRow(ctx, 'inhaled-oxygen-concentration');
    // 3.1.1 inherits R4's ucum-vitals-common (required), which has no L/min: the flow rate is left out there.
    if (ctx.usCoreVersion === '6.1.0') components.push(
      vitals.oxygen.flowRate === undefined
        ? { code: loincCode(flow), dataAbsentReason: UNKNOWN }
        : { code: loincCode(flow), valueQuantity: quantity(vitals.oxygen.flowRate, flow.unit) },
    );
    components.push(
      vitals.oxygen.concentration === undefined
        ? { code: loincCode(conc), dataAbsentReason: UNKNOWN }
        : { code: loincCode(conc), valueQuantity: quantity(vitals.oxygen.concentration, conc.unit) },
    );
  }
  return {
    ...vitalFrame(story, vitals, ctx, 'spo2', vitalProfiles(ctx, 'us-core-pulse-oximetry'), code),
    ...(value === undefined ? { dataAbsentReason: NOT_PERFORMED } : { valueQuantity: quantity(value, pulseOx.unit) }),
    ...(components.length ? { component: components } : {}),
  };
}
