import type { Observation } from '@medplum/fhirtypes';
import type { ClinicalResultFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { encounterRef, issuedOn, LAB_ORDER_IDS, loinc } from './labs-common.js';

const CATEGORY_DISPLAY = { procedure: 'Procedure', imaging: 'Imaging' } as const;

/** A non-lab result (ECG, spirometry, imaging) of a billed test (US Core 6.1.0 only). */
export function buildUsCoreObservationClinicalResult(story: MemberStory, result: ClinicalResultFact, ctx: BuildContext): Observation {
  const row = ctx.codeMaps.clinical.labsVitals.clinicalResults.get(result.procedureKey);
  if (!row) throw new Error(`labs-clinical-results.json has no '${result.procedureKey}'`);
  const value =
    result.value !== undefined && row.quantity
      ? { valueQuantity: { value: result.value, unit: row.quantity.unit.display, system: SYSTEMS.ucum, code: row.quantity.unit.code } }
      : result.findingCode
        ? { valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: result.findingCode.code, display: result.findingCode.display }], text: result.finding } }
        : result.finding !== undefined
        ? { valueString: result.finding }
        : { dataAbsentReason: { coding: [{ system: SYSTEMS.dataAbsentReason, code: 'not-performed', display: 'Not Performed' }], text: 'Study not completed' } };
  return {
    resourceType: 'Observation',
    id: LAB_ORDER_IDS.clinicalResult(story, result),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-observation-clinical-result')]),
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: row.category, display: CATEGORY_DISPLAY[row.category] }] }],
    code: loinc(row.loinc),
    subject: ref('Patient', ids.patient(story)),
    ...encounterRef(story, result),
    effectiveDateTime: result.date,
    issued: issuedOn(result),
    ...(result.practitionerId ? { performer: [ref('Practitioner', result.practitionerId)] } : {}),
    ...value,
  };
}
