import type { CodeableConcept } from '@medplum/fhirtypes';
import type { LabPanelRow } from '../../codemaps/clinical-labs-vitals.js';
import type { TestOrderFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import { ids, ref, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';

export const LAB_ORDER_IDS = {
  serviceRequest: (s: MemberStory, o: TestOrderFact) => ids.member(s, `sr${o.ordinal}`),
  specimen: (s: MemberStory, o: TestOrderFact) => ids.member(s, `spec${o.ordinal}`),
  result: (s: MemberStory, o: TestOrderFact, k: number) => ids.member(s, `lab${o.ordinal}-${k + 1}`),
  report: (s: MemberStory, o: TestOrderFact) => ids.member(s, `dr${o.ordinal}`),
  clinicalResult: (s: MemberStory, o: TestOrderFact) => ids.member(s, `res${o.ordinal}`),
};

export function panelRow(ctx: BuildContext, o: TestOrderFact): LabPanelRow {
  const row = ctx.codeMaps.clinical.labsVitals.labs.get(o.procedureKey);
  if (!row) throw new Error(`labs.json has no '${o.procedureKey}'`);
  return row;
}

export function loinc(code: { code: string; display: string }): CodeableConcept {
  return { coding: [{ system: SYSTEMS.loinc, code: code.code, display: code.display }], text: code.display };
}

/** The billed procedure code (CPT/HCPCS) of the test. */
export function billedCode(ctx: BuildContext, o: TestOrderFact): { system: string; code: string; display: string } {
  const p = ctx.codeMaps.procedures.get(o.procedureKey);
  if (!p) throw new Error(`professional-procedures.json has no '${o.procedureKey}'`);
  return { system: SYSTEMS[p.system], code: p.code, display: p.display };
}

/** Results are out the same afternoon the specimen is taken. */
export function issuedOn(o: TestOrderFact): string {
  return `${o.date}T17:00:00Z`;
}

export function encounterRef(s: MemberStory, o: TestOrderFact) {
  return o.encounterOrdinal ? { encounter: ref('Encounter', ids.encounter(s, o.encounterOrdinal)) } : {};
}

export function reasonRefs(s: MemberStory, o: TestOrderFact) {
  return o.reasonConditions.map((i) => ref('Condition', ids.problem(s, i)));
}
