import type { Practitioner } from '@medplum/fhirtypes';
import type { BuildContext } from '../context.js';

/** Adds the US Core Practitioner profile to a CARIN BB Practitioner (placeholder: the domain fills it in). */
export function layerUsCorePractitioner(resource: Practitioner, _ctx: BuildContext): Practitioner {
  return resource;
}
