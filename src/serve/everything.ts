import { OperationOutcomeError, allOk, notFound } from '@medplum/core';
import type { FhirResponse } from '@medplum/fhir-router';
import type { Reference, Resource } from '@medplum/fhirtypes';
import type { AtomicMemoryRepository } from './router.js';
import { entryOf } from './search-extras.js';

/** The fields through which a resource belongs to a member's Patient compartment here. */
const COMPARTMENT_FIELDS = ['patient', 'beneficiary', 'subject'] as const;

/**
 * `Patient/{id}/$everything`: the patient and every resource that points at it through `patient`,
 * `beneficiary` or `subject` (EOBs, Coverage, clinical resources), in one unpaged searchset.
 */
export async function patientEverything(repo: AtomicMemoryRepository, id: string, base: string): Promise<FhirResponse> {
  const patient = repo.get('Patient', id);
  if (!patient) throw new OperationOutcomeError(notFound);
  const target = `Patient/${id}`;
  const entry = [entryOf(base, patient, 'match')];
  for (const type of repo.types()) {
    for (const resource of repo.referring(type, target)) {
      if (resource !== patient && pointsAt(resource, target)) entry.push(entryOf(base, resource, 'match'));
    }
  }
  const link = [{ relation: 'self', url: `${base}/Patient/${id}/$everything` }];
  return [allOk, { resourceType: 'Bundle', type: 'searchset', total: entry.length, link, entry }];
}

function pointsAt(resource: Resource, target: string): boolean {
  const fields = resource as unknown as Record<string, Reference | undefined>;
  return COMPARTMENT_FIELDS.some((field) => fields[field]?.reference === target);
}
