import type { Organization } from '@medplum/fhirtypes';
import type { BuildContext } from '../context.js';

/** Adds the US Core Organization profile to a CARIN BB Organization (placeholder: the domain fills it in). */
export function layerUsCoreOrganization(resource: Organization, _ctx: BuildContext): Organization {
  return resource;
}
