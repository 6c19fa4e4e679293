import type { Provenance, Resource } from '@medplum/fhirtypes';
import type { BuildContext } from '../context.js';
import { pdexProfile } from './prior-authorization.js';
import { SYSTEMS } from '../systems.js';

const PDEX_PROVENANCE_SOURCE = 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/ProvenanceSourceFrom';
/** The member's enrollment record: what the payer's own eligibility system wrote. */
const ENROLLMENT = new Set(['Patient', 'Coverage', 'RelatedPerson']);

/**
 * Claims the PDex 2.0.0 profiles for the member's dispenses and devices, which the US Core layer already
 * builds from the story: a MedicationDispense coded in place also claims pdex-medicationdispense and says whether the
 * pharmacy substituted (never, in the story: the dispensed RxNorm drug is the prescribed one); a Device
 * also claims pdex-device (its `url`, a network address, implants do not have); a Provenance also claims
 * pdex-provenance (see pdexProvenance). Other resources come back unchanged.
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
  if (resource.resourceType === 'Provenance') return pdexProvenance(resource as Provenance) as Resource as T;
  if (resource.resourceType === 'Device') {
    return { ...resource, meta: { ...resource.meta, profile: [...(resource.meta?.profile ?? []), pdexProfile('pdex-device')] } };
  }
  return resource;
}

/**
 * PDex Provenance 2.0.0 is built on US Core 3.1.1's Provenance; the US Core 6.1.0 (or 3.1.1) Provenances
 * fhirseed writes meet it too (agent types from the same code systems, authors and transmitters that are
 * Organizations or Practitioners on behalf of an Organization), so they claim both. The clinical record's
 * Provenance (the clinician authors it, the payer transmits it) names its source: the clinic's record as US
 * Core FHIR R4 resources (ProvenancePayerDataSource `hl7fhirr4`). The enrollment record's (the payer both
 * authors and transmits) has no outside source, so no entity.
 */
function pdexProvenance(p: Provenance): Provenance {
  const profile = [...(p.meta?.profile ?? []), pdexProfile('pdex-provenance')];
  const enrollment = p.target.every((t) => ENROLLMENT.has(t.reference?.split('/')[0] ?? ''));
  if (enrollment) return { ...p, meta: { ...p.meta, profile } };
  return {
    ...p,
    meta: { ...p.meta, profile },
    entity: [
      ...(p.entity ?? []),
      {
        extension: [{
          url: PDEX_PROVENANCE_SOURCE,
          valueCodeableConcept: { coding: [{ system: SYSTEMS.pdexProvenancePayerDataSource, code: 'hl7fhirr4', display: 'FHIR R4' }] },
        }],
        role: 'source',
        what: { display: "The clinic's record, received as US Core FHIR R4 resources" },
      },
    ],
  };
}
