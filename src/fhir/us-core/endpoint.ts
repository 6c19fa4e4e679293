import type { Endpoint } from '@medplum/fhirtypes';
import type { ProviderOrgFact } from '../../story/types.js';
import { baseProfile, meta, ref, type BuildContext } from '../context.js';
import { coding, concept } from '../carin-bb/codings.js';
import { endpointId } from './care-common.js';

/** The FHIR endpoint of a facility organization, which its practitioners' roles point to (base FHIR Endpoint: US Core has no profile). */
export function buildFacilityEndpoint(org: ProviderOrgFact, ctx: BuildContext): Endpoint {
  return {
    resourceType: 'Endpoint',
    id: endpointId(org.id),
    meta: meta(ctx, [baseProfile('Endpoint')]),
    status: 'active',
    connectionType: coding('endpointConnectionType', 'hl7-fhir-rest', 'HL7 FHIR'),
    name: `${org.name} FHIR API`,
    managingOrganization: ref('Organization', org.id),
    payloadType: [concept('endpointPayloadType', 'any', 'Any')],
    address: `https://fhirseed.example.org/provider/${org.npi}/fhir`,
  };
}
