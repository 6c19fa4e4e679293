import type { CareTeam, CareTeamParticipant, CodeableConcept } from '@medplum/fhirtypes';
import type { CarePlanFact, CareTeamMemberFact } from '../../story/clinical/planning.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { practitionerRoleId } from './care-common.js';

export const careTeamId = (story: MemberStory) => ids.member(story, 'careteam1');

/** US Core CareTeam: the clinicians who saw the member, their clinic, the member and, for a dependent, the subscriber. */
export function buildUsCoreCareTeam(story: MemberStory, plan: CarePlanFact, ctx: BuildContext): CareTeam {
  const name = `${story.member.name.given[0] ?? ''} ${story.member.name.family}`.trim();
  return {
    resourceType: 'CareTeam',
    id: careTeamId(story),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-careteam')]),
    status: plan.end ? 'inactive' : 'active',
    name: `Care team of ${name}`,
    subject: ref('Patient', ids.patient(story)),
    period: { start: plan.start, ...(plan.end ? { end: plan.end } : {}) },
    // US Core 3.1.1 allows only Patient, Practitioner and Organization members.
    participant: plan.careTeam
      .filter((m) => m.kind !== 'related-person' || ctx.usCoreVersion !== '3.1.1')
      .map((m, i, all) => participant(story, m, ctx, all.slice(0, i).some((o) => o.kind === 'practitioner'))),
    managingOrganization: [ref('Organization', plan.organizationId)],
  };
}

/**
 * One participant. The first clinician is named as the Practitioner; the others (consulting clinicians) as their
 * PractitionerRole at their clinic, as EHR care teams list them (US Core 6.1.0 allows both; 3.1.1 only Practitioner).
 */
function participant(story: MemberStory, m: CareTeamMemberFact, ctx: BuildContext, laterClinician: boolean): CareTeamParticipant {
  switch (m.kind) {
    case 'practitioner':
      return {
        role: [roleFor(ctx, m.taxonomy)],
        member: laterClinician && ctx.usCoreVersion !== '3.1.1' ? ref('PractitionerRole', practitionerRoleId(m.id)) : ref('Practitioner', m.id),
      };
    case 'organization':
      return { role: [roleFor(ctx, m.taxonomy)], member: ref('Organization', m.id) };
    case 'patient':
      return { role: [fixedRole(ctx, 'patient')], member: ref('Patient', ids.patient(story)) };
    case 'related-person':
      return { role: [fixedRole(ctx, 'caregiver')], member: ref('RelatedPerson', ids.subscriber(story)) };
  }
}

/** The SNOMED CT care-team function of a NUCC taxonomy when the table has one, else the taxonomy itself. */
function roleFor(ctx: BuildContext, taxonomy: string): CodeableConcept {
  for (const row of ctx.codeMaps.clinical.planning.careTeamRoles.values()) {
    if (row.taxonomies.includes(taxonomy)) return { coding: [{ system: SYSTEMS.snomed, code: row.code, display: row.display }] };
  }
  const display = ctx.codeMaps.taxonomy.find((t) => t.code === taxonomy)?.display;
  return { coding: [{ system: SYSTEMS.nucc, code: taxonomy, ...(display ? { display } : {}) }] };
}

function fixedRole(ctx: BuildContext, key: string): CodeableConcept {
  const row = ctx.codeMaps.clinical.planning.careTeamRoles.get(key)!;
  return { coding: [{ system: SYSTEMS.snomed, code: row.code, display: row.display }] };
}
