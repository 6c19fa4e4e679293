import type { Observation, ObservationReferenceRange } from '@medplum/fhirtypes';
import type { LabOrderFact, LabResultFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { encounterRef, issuedOn, LAB_ORDER_IDS, loinc, panelRow } from './labs-common.js';

const LABORATORY = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }], text: 'Laboratory' };
const INTERPRETATION_SYSTEM = SYSTEMS.observationInterpretation;
const INTERPRETATIONS = { L: 'Low', N: 'Normal', H: 'High', A: 'Abnormal' } as const;

/** One analyte of a lab order; a result not obtained carries dataAbsentReason instead of a value. */
export function buildUsCoreObservationLab(story: MemberStory, order: LabOrderFact, result: LabResultFact, ctx: BuildContext): Observation {
  const panel = panelRow(ctx, order);
  if (result.analyte >= panel.analytes.length) return qualitativeLab(story, order, result, ctx);
  const analyte = panel.analytes[result.analyte];
  if (!analyte) throw new Error(`labs.json '${order.procedureKey}' has no analyte ${result.analyte}`);
  const unit = { unit: analyte.unit.display || analyte.unit.code, system: SYSTEMS.ucum, code: analyte.unit.code };
  const value: ObservationValue =
    result.value === undefined
      ? { dataAbsentReason: { coding: [{ system: SYSTEMS.dataAbsentReason, code: 'error', display: 'Error' }], text: 'Specimen hemolyzed' } }
      : { valueQuantity: { value: result.value, ...unit } };
  return labObservation(story, order, result, ctx, analyte.loinc, value, [{ low: { value: analyte.normal.low, ...unit }, high: { value: analyte.normal.high, ...unit } }]);
}

type ObservationValue = Pick<Observation, 'valueQuantity' | 'valueString' | 'valueCodeableConcept' | 'dataAbsentReason'>;

/** The fields every lab result shares, in the order the builders have always written them. */
function labObservation(
  story: MemberStory,
  order: LabOrderFact,
  result: LabResultFact,
  ctx: BuildContext,
  code: Parameters<typeof loinc>[0],
  value: ObservationValue,
  referenceRange: ObservationReferenceRange[],
): Observation {
  const v6 = ctx.usCoreVersion === '6.1.0';
  return {
    resourceType: 'Observation',
    id: LAB_ORDER_IDS.result(story, order, result.analyte),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-observation-lab')]),
    ...(v6 ? { basedOn: [ref('ServiceRequest', LAB_ORDER_IDS.serviceRequest(story, order))] } : {}),
    status: 'final',
    category: [LABORATORY],
    code: loinc(code),
    subject: ref('Patient', ids.patient(story)),
    ...encounterRef(story, order),
    effectiveDateTime: order.date,
    issued: issuedOn(order),
    performer: [ref('Organization', order.organizationId)],
    ...value,
    ...interpretation(result),
    ...(v6 ? { specimen: ref('Specimen', LAB_ORDER_IDS.specimen(story, order)) } : {}),
    referenceRange,
  };
}

function interpretation(result: LabResultFact): Pick<Observation, 'interpretation'> {
  if (!result.interpretation) return {};
  return { interpretation: [{ coding: [{ system: INTERPRETATION_SYSTEM, code: result.interpretation, display: INTERPRETATIONS[result.interpretation] }] }] };
}

/** A result reported as words: free text (valueString) or a SNOMED CT answer (valueCodeableConcept), the normal answer as its reference range. */
function qualitativeLab(story: MemberStory, order: LabOrderFact, result: LabResultFact, ctx: BuildContext): Observation {
  const panel = panelRow(ctx, order);
  const row = panel.qualitative?.[result.analyte - panel.analytes.length];
  if (!row) throw new Error(`labs.json '${order.procedureKey}' has no result ${result.analyte}`);
  const normal = row.text?.normal ?? row.coded!.normal.display;
  const value: ObservationValue = result.coded
    ? { valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: result.coded.code, display: result.coded.display }], text: result.coded.display } }
    : { valueString: result.text ?? '' };
  return labObservation(story, order, result, ctx, row.loinc, value, [{ text: normal }]);
}
