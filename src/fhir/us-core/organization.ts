import type { Organization } from '@medplum/fhirtypes';
import type { BuildContext } from '../context.js';
import { withUsCoreProfile } from './layer-profile.js';

/** The CARIN BB Organization (payer or provider) also claims US Core Organization; it already has identifiers, name, telecom and address. */
export function layerUsCoreOrganization(resource: Organization, ctx: BuildContext): Organization {
  return withUsCoreProfile(resource, ctx, 'us-core-organization');
}
