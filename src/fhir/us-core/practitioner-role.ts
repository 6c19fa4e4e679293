import type { PractitionerRole } from '@medplum/fhirtypes';
import type { PractitionerFact } from '../../story/types.js';
import { meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { concept } from '../carin-bb/codings.js';
import { phone } from '../carin-bb/common.js';
import { endpointId, isFacility, locationRef, practitionerRoleId, snomedCoding } from './care-common.js';

/** US Core PractitionerRole: what a practitioner does where (their organization, location and FHIR endpoint). */
export function buildUsCorePractitionerRole(p: PractitionerFact, ctx: BuildContext): PractitionerRole {
  const role = ctx.codeMaps.clinical.care.practitionerRoles.get(p.role);
  const taxonomy = ctx.codeMaps.taxonomy.find((t) => t.code === p.taxonomy);
  const location = locationRef(ctx, p.organizationId);
  return {
    resourceType: 'PractitionerRole',
    id: practitionerRoleId(p.id),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-practitionerrole')]),
    active: true,
    practitioner: ref('Practitioner', p.id),
    organization: ref('Organization', p.organizationId),
    ...(role ? { code: [{ coding: [snomedCoding(role.snomed)] }] } : {}),
    specialty: [concept('nucc', p.taxonomy, taxonomy?.display)],
    ...(location ? { location: [location] } : {}),
    telecom: [phone(p.phone, 'work')],
    ...(isFacility(ctx, p.organizationId) ? { endpoint: [ref('Endpoint', endpointId(p.organizationId))] } : {}),
  };
}
