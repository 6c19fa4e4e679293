import type { Resource } from '@medplum/fhirtypes';
import type { BuildContext } from '../context.js';
import { pdexProfile } from './prior-authorization.js';

/**
 * Claims the PDex 2.0.0 profiles for the member's dispenses and devices, which the US Core layer already
 * builds from the story: a MedicationDispense coded in place also claims pdex-medicationdispense and says whether the
 * pharmacy substituted (never, in the story: the dispensed RxNorm drug is the prescribed one); a Device
 * also claims pdex-device (its `url`, a network address, implants do not have). Other resources come back unchanged. PDex's Provenance is built on US Core
 * 3.1.1's, which the 6.1.0 Provenance of the clinical record does not claim, so it is left out.
 */
export function layerPdex<T extends Resource>(resource: T, ctx: Pick<BuildContext, 'igs'>): T {
  if (!ctx.igs.has('pdex')) return resource;
  // PDex's dispense names the drug by code only: one that points to a Medication resource cannot claim it.
  if (resource.resourceType === 'MedicationDispense' && resource.medicationCodeableConcept) {
    return {
      ...resource,
      meta: { ...resource.meta, profile: [...(resource.meta?.profile ?? []), pdexProfile('pdex-medicationdispense')] },
      substitution: resource.substitution ?? { wasSubstituted: false },
    };
  }
  if (resource.resourceType === 'Device') {
    return { ...resource, meta: { ...resource.meta, profile: [...(resource.meta?.profile ?? []), pdexProfile('pdex-device')] } };
  }
  return resource;
}
