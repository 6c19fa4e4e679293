import type { Location } from '@medplum/fhirtypes';
import type { ProviderOrgFact } from '../../story/types.js';
import { meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { fhirAddress, phone } from '../carin-bb/common.js';
import { locationId } from './care-common.js';

/** US Core Location: the place of care of a facility organization (hospital, clinic, dental practice). */
export function buildUsCoreLocation(org: ProviderOrgFact, ctx: BuildContext): Location {
  return {
    resourceType: 'Location',
    id: locationId(org.id),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-location')]),
    status: 'active',
    name: org.name,
    mode: 'instance',
    telecom: [phone(org.phone, 'work')],
    address: { ...fhirAddress(org.address), use: 'work' },
    managingOrganization: ref('Organization', org.id),
  };
}
