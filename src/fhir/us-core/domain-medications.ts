import type { Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { buildUsCoreAllergyIntolerance } from './allergy-intolerance.js';
import { buildUsCoreImmunization } from './immunization.js';
import { buildUsCoreMedication } from './medication.js';
import { buildUsCoreMedicationDispense } from './medication-dispense.js';
import { buildUsCoreMedicationRequest } from './medication-request.js';

/**
 * The medications domain's US Core resources of one member, in load order: Medication before the
 * requests naming it, requests before their dispenses. MedicationDispense has no US Core 3.1.1 profile,
 * so it is built for 6.1.0 only.
 */
export function buildMedicationResources(story: MemberStory, ctx: BuildContext): Resource[] {
  const facts = story.clinical.medications;
  const out: Resource[] = [];
  for (const rx of facts.prescriptions) {
    if (rx.medicationAsResource) out.push(buildUsCoreMedication(story, rx, ctx));
    out.push(buildUsCoreMedicationRequest(story, rx, ctx));
    if (ctx.usCoreVersion === '6.1.0') for (const fill of rx.fills) out.push(buildUsCoreMedicationDispense(story, rx, fill, ctx));
  }
  for (const imm of facts.immunizations) out.push(buildUsCoreImmunization(story, imm, ctx));
  for (const allergy of facts.allergies) out.push(buildUsCoreAllergyIntolerance(story, allergy, ctx));
  return out;
}
