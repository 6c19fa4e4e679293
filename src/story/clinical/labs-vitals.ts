import type { LabPanelRow } from '../../codemaps/clinical-labs-vitals.js';
import { billedTests, bandFor, drawIn, type ClinicalResultFact, type LabOrderFact, type LabResultFact } from './labs-results.js';
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
      // A catalog group's order results the tests its reason conditions bring, and others of the group by chance.
      const wanted = panel.subset ? subsetOf(input, order, panel.analytes.map((a) => a.loinc.code)) : undefined;
      const lastK = wanted ? Math.max(...wanted) : panel.analytes.length - 1;
      const results: LabResultFact[] = panel.analytes.flatMap((a, k): LabResultFact[] => {
        if (wanted && !wanted.has(k)) return [];
        if (missingLast && k === lastK) return [{ analyte: k }];
        const { band } = bandFor(a.normal, a.conditions, conditionKeys);
        const value = drawIn(rng, band, a.decimals);
        const interpretation = value < a.normal.low ? 'L' : value > a.normal.high ? 'H' : 'N';
        return [{ analyte: k, value, interpretation }];
      });
      if (!wanted) results.push(...qualitativeResults(panel, conditionKeys));
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
      const finding = rng.pick(findings);
      clinicalResults.push({ ...order, finding: finding.text, ...(finding.code ? { findingCode: finding.code } : {}) });
    }
  }
  const latest = labs.at(-1);
  if (latest) latest.published = true;
  return { labs, clinicalResults, vitals: simulateVitals(input) };
}

/** A panel's results reported as words: the answer under the member's first condition that has one, else the normal answer. */
function qualitativeResults(panel: LabPanelRow, conditionKeys: readonly string[]): LabResultFact[] {
  return (panel.qualitative ?? []).map((q, j) => {
    const analyte = panel.analytes.length + j;
    const condition = conditionKeys.find((k) => q.text?.conditions?.[k] ?? q.coded?.conditions?.[k]);
    if (q.text) {
      const text = (condition && q.text.conditions?.[condition]) || q.text.normal;
      return { analyte, text, interpretation: text === q.text.normal ? 'N' : 'A' };
    }
    const coded = (condition && q.coded!.conditions?.[condition]) || q.coded!.normal;
    return { analyte, coded: { code: coded.code, display: coded.display }, interpretation: coded.code === q.coded!.normal.code ? 'N' : 'A' };
  });
}

/** Indexes of a group panel's tests to result: those its reason conditions list, and each other with chance 0.3 (at least one). */
function subsetOf(input: ClinicalInput, order: { reasonConditions: number[] }, loincs: string[]): Set<number> {
  const linked = new Set(order.reasonConditions.flatMap((i) => input.codeMaps.conditions.get(input.story.conditions[i]!.key)?.labs ?? []));
  const out = new Set<number>();
  loincs.forEach((code, k) => {
    if (linked.has(code) || input.rng.chance(0.3)) out.add(k);
  });
  if (!out.size) out.add(input.rng.int(0, loincs.length - 1));
  return out;
}
