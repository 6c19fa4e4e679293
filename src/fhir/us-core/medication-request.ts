import type { CodeableConcept, Dosage, MedicationRequest } from '@medplum/fhirtypes';
import type { PrescriptionFact } from '../../story/clinical/medications.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS, type SystemName } from '../systems.js';
import { medicationId } from './medication.js';

/** A prescription (one prescription number of the pharmacy claims) as a US Core MedicationRequest. */
export function buildUsCoreMedicationRequest(story: MemberStory, rx: PrescriptionFact, ctx: BuildContext): MedicationRequest {
  const codes = ctx.codeMaps.clinical.medications.codes;
  const first = rx.fills[0];
  const condition = rx.conditionIndex !== undefined ? story.conditions[rx.conditionIndex] : undefined;
  const conditionRow = condition ? ctx.codeMaps.conditions.get(condition.key) : undefined;
  return {
    resourceType: 'MedicationRequest',
    id: medicationRequestId(story, rx),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-medicationrequest')]),
    identifier: [{ type: { text: 'Prescription number' }, value: rx.prescriptionNumber }],
    status: rx.status,
    intent: 'order',
    category: [{ coding: [coding(codes.requestCategory)], text: codes.requestCategory.display }],
    // Known to the plan from pharmacy claims, so a secondary record: flagged, or attributed to the pharmacy.
    ...(rx.reportedByPharmacy && first
      ? { reportedReference: ref('Organization', first.pharmacyId) }
      : rx.reportedByPrescriber
        ? { reportedReference: ref('Practitioner', rx.prescriberId) }
        : { reportedBoolean: true }),
    ...(rx.medicationAsResource
      ? { medicationReference: ref('Medication', medicationId(story, rx)) }
      : { medicationCodeableConcept: drugCode(rx.drugKey, ctx, false) }),
    subject: ref('Patient', ids.patient(story)),
    ...(rx.encounterOrdinal !== undefined ? { encounter: ref('Encounter', ids.encounter(story, rx.encounterOrdinal)) } : {}),
    authoredOn: rx.authoredOn,
    requester: ref('Practitioner', rx.prescriberId),
    ...(conditionRow && rx.conditionIndex !== undefined
      ? {
          reasonCode: [{ coding: [{ system: SYSTEMS.snomed, code: conditionRow.snomed.code, display: conditionRow.snomed.display }], text: conditionRow.display }],
          reasonReference: [ref('Condition', ids.problem(story, rx.conditionIndex))],
        }
      : {}),
    dosageInstruction: [dosage(rx.drugKey, rx.authoredOn, ctx)],
    dispenseRequest: {
      validityPeriod: { start: rx.authoredOn },
      numberOfRepeatsAllowed: rx.refillsAuthorized,
      quantity: { value: rx.quantity, unit: unitOf(rx.drugKey, ctx).display, system: SYSTEMS.ucum, code: unitOf(rx.drugKey, ctx).code },
      expectedSupplyDuration: { value: rx.daysSupply, unit: 'days', system: SYSTEMS.ucum, code: 'd' },
    },
  };
}

export function medicationRequestId(story: MemberStory, rx: PrescriptionFact): string {
  return ids.member(story, `rx${rx.ordinal}`);
}

/** The drug as RxNorm (and, where the NDC is wanted, the dispensed package's NDC). */
export function drugCode(drugKey: string, ctx: BuildContext, withNdc: boolean): CodeableConcept {
  const drug = ctx.codeMaps.drugs.get(drugKey);
  if (!drug) throw new Error(`unknown drug '${drugKey}'`);
  return {
    coding: [
      { system: SYSTEMS.rxnorm, code: drug.rxnorm.code, display: drug.rxnorm.display },
      ...(withNdc ? [{ system: SYSTEMS.ndc, code: drug.ndc.code, display: drug.ndc.display }] : []),
    ],
    text: drug.rxnorm.display,
  };
}

/** The sig of a drug: text, timing and dose (medication-sigs.json). */
export function dosage(drugKey: string, start: string, ctx: BuildContext): Dosage {
  const sig = ctx.codeMaps.clinical.medications.sigs.get(drugKey);
  if (!sig) throw new Error(`no sig for drug '${drugKey}'`);
  return {
    text: sig.text,
    timing: { repeat: { boundsPeriod: { start }, frequency: sig.frequency, period: sig.period, periodUnit: sig.periodUnit } },
    doseAndRate: [{ doseQuantity: { value: sig.dose, unit: sig.doseUnitDisplay, system: SYSTEMS.ucum, code: sig.doseUnit } }],
  };
}

export function unitOf(drugKey: string, ctx: BuildContext): { code: string; display: string } {
  const sig = ctx.codeMaps.clinical.medications.sigs.get(drugKey);
  return { code: sig?.doseUnit ?? '1', display: sig?.doseUnitDisplay ?? 'unit' };
}

export function coding(c: { system: string; code: string; display: string }): { system: string; code: string; display: string } {
  return { system: SYSTEMS[c.system as SystemName], code: c.code, display: c.display };
}
