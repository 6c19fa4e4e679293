import type { MedicationDispense } from '@medplum/fhirtypes';
import type { DispenseFact, PrescriptionFact } from '../../story/clinical/medications.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { medicationId } from './medication.js';
import { coding, dosage, drugCode, medicationRequestId, unitOf } from './medication-request.js';

/**
 * One fill (pharmacy claim) as a US Core MedicationDispense (6.1.0 only). A denied claim is a fill
 * the pharmacy did not hand over: status declined, with no whenHandedOver.
 */
export function buildUsCoreMedicationDispense(story: MemberStory, rx: PrescriptionFact, fill: DispenseFact, ctx: BuildContext): MedicationDispense {
  const codes = ctx.codeMaps.clinical.medications.codes;
  const type = fill.refillNumber === 0 ? codes.firstFill : codes.refill;
  const unit = unitOf(rx.drugKey, ctx);
  return {
    resourceType: 'MedicationDispense',
    id: ids.member(story, `disp${fill.ordinal}`),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-medicationdispense')]),
    identifier: [{ type: { text: 'Prescription number' }, value: rx.prescriptionNumber }],
    status: fill.declined ? 'declined' : 'completed',
    // The same choice as the prescription's: a Medication resource where the request has one.
    ...(rx.medicationAsResource
      ? { medicationReference: ref('Medication', medicationId(story, rx)) }
      : { medicationCodeableConcept: drugCode(rx.drugKey, ctx, true) }),
    subject: ref('Patient', ids.patient(story)),
    ...(rx.encounterOrdinal !== undefined ? { context: ref('Encounter', ids.encounter(story, rx.encounterOrdinal)) } : {}),
    performer: [{ actor: ref('Organization', fill.pharmacyId) }],
    authorizingPrescription: [ref('MedicationRequest', medicationRequestId(story, rx))],
    type: { coding: [coding(type)], text: type.display },
    quantity: { value: fill.quantity, unit: unit.display, system: SYSTEMS.ucum, code: unit.code },
    daysSupply: { value: fill.daysSupply, unit: 'days', system: SYSTEMS.ucum, code: 'd' },
    whenPrepared: fill.date,
    ...(fill.declined ? {} : { whenHandedOver: fill.date }),
    dosageInstruction: [dosage(rx.drugKey, fill.date, ctx)],
  };
}
