import type { Endpoint, Location, Organization } from '@medplum/fhirtypes';
import type { NetworkFact, PlanNetDirectory } from '../../story/plan-net-directory.js';
import { meta, ref, type BuildContext } from '../context.js';
import { fhirAddress } from '../carin-bb/common.js';
import { SYSTEMS } from '../systems.js';
import { planNetConcept, planNetIds, planNetProfile } from './common.js';
import { STATE_POINTS } from './state-points.js';

/** Plan-Net Network: a plan's provider network, an Organization part of the payer (networks have no phone of their own). */
export function buildPlanNetNetwork(network: NetworkFact, ctx: BuildContext, pn: PlanNetDirectory): Organization {
  const payer = ctx.directory.payer;
  return {
    resourceType: 'Organization',
    id: network.id,
    meta: meta(ctx, [planNetProfile('plannet-Network')]),
    extension: [{ url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/location-reference', valueReference: ref('Location', pn.serviceAreaId) }],
    identifier: [{ type: { coding: [{ system: SYSTEMS.v2IdentifierType, code: 'PLAC', display: 'Placer Identifier' }] }, system: `https://fhirseed.example.org/${payer.id}/network-id`, value: network.planId }],
    active: true,
    type: [planNetConcept('planNetOrgType', 'ntwk', 'Network')],
    name: network.name,
    address: [{ ...fhirAddress(payer.address), use: 'work' }],
    partOf: ref('Organization', payer.id),
    contact: [{ name: { text: `${network.name} provider relations` }, telecom: [{ system: 'phone', value: payer.phone, use: 'work' }] }],
    endpoint: [ref('Endpoint', planNetIds.payerEndpoint(payer.id))],
  };
}

/**
 * The payer's service area as a Plan-Net Location: its state, with a GeoJSON region around the state's
 * point (see state-points.ts; a one-degree box: the addresses are fictional, so is the boundary).
 */
export function buildPlanNetServiceArea(ctx: BuildContext, pn: PlanNetDirectory): Location {
  const payer = ctx.directory.payer;
  const point = STATE_POINTS[payer.address.state];
  const region = point
    ? {
        type: 'Polygon',
        coordinates: [[[point[1] - 0.5, point[0] - 0.5], [point[1] + 0.5, point[0] - 0.5], [point[1] + 0.5, point[0] + 0.5], [point[1] - 0.5, point[0] + 0.5], [point[1] - 0.5, point[0] - 0.5]]],
      }
    : undefined;
  return {
    resourceType: 'Location',
    id: pn.serviceAreaId,
    meta: meta(ctx, [planNetProfile('plannet-Location')]),
    ...(region
      ? {
          extension: [
            {
              url: 'http://hl7.org/fhir/StructureDefinition/location-boundary-geojson',
              valueAttachment: { contentType: 'application/geo+json', data: Buffer.from(JSON.stringify(region)).toString('base64') },
            },
          ],
        }
      : {}),
    status: 'active',
    name: `${payer.name} service area (${payer.address.state})`,
    address: { state: payer.address.state, country: 'US' },
    ...(point ? { position: { latitude: point[0], longitude: point[1] } } : {}),
    managingOrganization: ref('Organization', payer.id),
  };
}

/** The payer's own FHIR endpoint (its directory and Patient Access API). */
export function buildPlanNetPayerEndpoint(ctx: BuildContext): Endpoint {
  const payer = ctx.directory.payer;
  return {
    resourceType: 'Endpoint',
    id: planNetIds.payerEndpoint(payer.id),
    meta: meta(ctx, [planNetProfile('plannet-Endpoint')]),
    extension: [
      {
        url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/endpoint-usecase',
        extension: [
          { url: 'type', valueCodeableConcept: { coding: [{ system: SYSTEMS.v3ActReason, code: 'COVERAGE', display: 'coverage under policy or program' }] } },
          { url: 'standard', valueUri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net' },
        ],
      },
    ],
    status: 'active',
    connectionType: { system: SYSTEMS.endpointConnectionType, code: 'hl7-fhir-rest', display: 'HL7 FHIR' },
    name: `${payer.name} FHIR API`,
    // The payer Organization lists this endpoint (Organization.endpoint); naming the payer back would make a
    // reference cycle that a server keeping referential integrity can never delete (purge).
    contact: [{ system: 'phone', value: payer.phone, use: 'work' }],
    payloadType: [{ coding: [{ system: SYSTEMS.planNetEndpointPayloadType, code: 'NA', display: 'Not Applicable' }] }],
    payloadMimeType: ['application/fhir+json'],
    address: `https://fhirseed.example.org/${payer.id}/fhir`,
  };
}
