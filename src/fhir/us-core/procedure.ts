import type { Procedure } from '@medplum/fhirtypes';
import type { CareProcedureFact } from '../../story/clinical/care.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { clinicalConcept, codeFactCoding, encounterRef, locationRef, patientRef } from './care-common.js';

/** US Core Procedure: an operation or procedure line of a visit, SNOMED CT beside the billed codes. */
export function buildUsCoreProcedure(story: MemberStory, p: CareProcedureFact, ctx: BuildContext): Procedure {
  const location = locationRef(ctx, p.organizationId);
  const reasons = p.reasonDiagnoses.map((k) => ref('Condition', ids.encounterDiagnosis(story, p.encounterOrdinal, k)));
  return {
    resourceType: 'Procedure',
    id: ids.member(story, `proc${p.ordinal}`),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-procedure')]),
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
