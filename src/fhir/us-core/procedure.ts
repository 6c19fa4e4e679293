import type { Procedure } from '@medplum/fhirtypes';
import type { CareProcedureFact } from '../../story/clinical/care.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { carePlanId } from './care-plan.js';
import { clinicalConcept, codeFactCoding, encounterRef, locationRef, patientRef } from './care-common.js';

/** US Core Procedure: an operation or procedure line of a visit, SNOMED CT beside the billed codes. */
export function buildUsCoreProcedure(story: MemberStory, p: CareProcedureFact, ctx: BuildContext): Procedure {
  const location = locationRef(ctx, p.organizationId);
  // A planned (office or outpatient) procedure after the care plan began carries it out: basedOn the CarePlan.
  const plan = story.clinical.planning.carePlan;
  const kind = story.clinical.encounters.find((e) => e.ordinal === p.encounterOrdinal)?.kind;
  const planned = plan && (kind === 'office' || kind === 'outpatient') && p.date >= plan.start && (!plan.end || p.date <= plan.end);
  const reasons = p.reasonDiagnoses.map((k) => ref('Condition', ids.encounterDiagnosis(story, p.encounterOrdinal, k)));
  return {
    resourceType: 'Procedure',
    id: ids.member(story, `proc${p.ordinal}`),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-procedure')]),
    ...(planned ? { basedOn: [ref('CarePlan', carePlanId(story))] } : {}),
    status: 'completed',
    code: clinicalConcept(p.snomed, p.codes.map(codeFactCoding), p.snomed?.display ?? p.codes[0]?.display),
    subject: patientRef(story),
    encounter: encounterRef(story, p.encounterOrdinal),
    ...(p.period ? { performedPeriod: p.period } : { performedDateTime: p.date }),
    ...(p.performerId ? { performer: [{ actor: ref('Practitioner', p.performerId), onBehalfOf: ref('Organization', p.organizationId) }] } : {}),
    ...(location ? { location } : {}),
    ...(reasons.length ? { reasonReference: reasons } : {}),
    ...(p.deviceOrdinal ? { focalDevice: [{ manipulated: ref('Device', ids.member(story, `dev${p.deviceOrdinal}`)) }] } : {}),
  };
}
