import type { Location } from '@medplum/fhirtypes';
import { meta, type BuildContext } from '../context.js';
import { formularyIds, formularyProfile } from './common.js';
import { STATE_EXTENTS } from './state-extents.js';

/** The states the payer's plans cover: those its members live in (profile demographics.states), in profile order. */
export function coverageStates(ctx: BuildContext): string[] {
  return ctx.profile.demographics.states.map((s) => s.code);
}

/**
 * usdf-InsurancePlanLocation 2.0.1: a plan's coverage area, one state — its address (state, country)
 * and, for the states STATE_EXTENTS knows, its bounding rectangle as a GeoJSON polygon (the R4
 * location-boundary-geojson extension, base64 in an attachment).
 */
export function buildInsurancePlanLocation(state: string, ctx: BuildContext): Location {
  const box = STATE_EXTENTS[state];
  return {
    resourceType: 'Location',
    id: formularyIds.area(ctx, state),
    meta: meta(ctx, [formularyProfile('usdf-InsurancePlanLocation')]),
    ...(box ? { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/location-boundary-geojson', valueAttachment: geojson(state, box) }] } : {}),
    status: 'active',
    name: `State of ${state} service area`,
    address: { state, country: 'US' },
  };
}

function geojson(state: string, [w, s, e, n]: readonly [number, number, number, number]) {
  const feature = {
    type: 'Feature',
    properties: { state, outline: 'bounding rectangle' },
    geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
  };
  return { contentType: 'application/geo+json', data: Buffer.from(JSON.stringify(feature)).toString('base64'), title: `Bounding rectangle of ${state}` };
}
