import type { Practitioner } from '@medplum/fhirtypes';
import type { BuildContext } from '../context.js';
import { withUsCoreProfile } from './layer-profile.js';

/** The CARIN BB Practitioner also claims US Core Practitioner; it already has the NPI, name, telecom and address. */
export function layerUsCorePractitioner(resource: Practitioner, ctx: BuildContext): Practitioner {
  return withUsCoreProfile(resource, ctx, 'us-core-practitioner');
}
