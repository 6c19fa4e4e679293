import { billedTests, bandFor, drawIn, type ClinicalResultFact, type LabOrderFact } from './labs-results.js';
import type { ClinicalInput } from './types.js';
import { simulateVitals, type VitalsFact } from './vitals-signs.js';

export type { ClinicalResultFact, LabOrderFact, LabResultFact, TestOrderFact } from './labs-results.js';
export type { VitalsFact, VitalKey } from './vitals-signs.js';

export interface LabsVitalsFacts {
  /** Laboratory orders from the claims' lab lines (ServiceRequest, Specimen, results, report). */
  labs: LabOrderFact[];
  /** Non-laboratory results (ECG, spirometry, imaging) from the claims' lines. */
  clinicalResults: ClinicalResultFact[];
  /** Vital signs taken at office, preventive and inpatient visits. */
  vitals: VitalsFact[];
}

/**
 * Lab and clinical results exist exactly where the claims bill a test, on the line's date and
 * with the claim's providers; their values fit the member's conditions. A few results are
 * missing (dataAbsentReason), chosen by member index so that the population always shows one.
 */
export function simulateLabsVitals(input: ClinicalInput): LabsVitalsFacts {
  const maps = input.codeMaps.clinical.labsVitals;
  const { rng, story } = input;
  const conditionKeys = story.conditions.map((c) => c.key);
  const orders = billedTests(input, new Set([...maps.labs.keys(), ...maps.clinicalResults.keys()]));
  orders.forEach((o, i) => (o.ordinal = i + 1));

  const labs: LabOrderFact[] = [];
  const clinicalResults: ClinicalResultFact[] = [];
  for (const order of orders) {
    const panel = maps.labs.get(order.procedureKey);
    if (panel) {
      const missingLast = labs.length === 0 && story.index % 3 === 0;
      const results = panel.analytes.map((a, k) => {
        if (missingLast && k === panel.analytes.length - 1) return { analyte: k };
        const { band } = bandFor(a.normal, a.conditions, conditionKeys);
        const value = drawIn(rng, band, a.decimals);
        const interpretation = value < a.normal.low ? 'L' : value > a.normal.high ? 'H' : 'N';
        return { analyte: k, value, interpretation } as const;
      });
      labs.push({ ...order, results });
      continue;
    }
    const row = maps.clinicalResults.get(order.procedureKey);
    if (!row) continue;
    if (clinicalResults.length === 0 && story.index % 3 === 1) {
      clinicalResults.push({ ...order });
    } else if (row.quantity) {
      const { band } = bandFor(row.quantity.normal, row.quantity.conditions, conditionKeys);
      clinicalResults.push({ ...order, value: drawIn(rng, band, row.quantity.decimals) });
    } else {
      const condition = conditionKeys.find((k) => row.conditionFindings?.[k]);
      const findings = (condition ? row.conditionFindings?.[condition] : undefined) ?? row.findings ?? [];
      clinicalResults.push({ ...order, finding: rng.pick(findings).text });
    }
  }
  return { labs, clinicalResults, vitals: simulateVitals(input) };
}
