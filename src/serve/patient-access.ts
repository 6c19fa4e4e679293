import type { Resource } from '@medplum/fhirtypes';
import { DIRECTORY_TYPES, isCompartmentType, visibleToPatient } from './compartment.js';
import type { PatientGrant } from './patient-auth.js';
import type { AtomicMemoryRepository } from './router.js';
import { isWrite } from './transaction.js';

/**
 * Why a patient token may not make this request (403), or undefined when it may. Allowed: reads of
 * its own compartment and of the shared directory, searches (restricted by `patientFilter`), and its
 * own Patient/$everything. Writes, system-level requests and other operations are refused.
 */
export function patientDenial(grant: PatientGrant, method: string, segments: string[], repo: AtomicMemoryRepository): string | undefined {
  const [type, id, operation] = segments;
  if (isWrite(method, segments.join('/'))) return 'a patient token may only read';
  if (!type || type.startsWith('$')) return 'a patient token may not make system-level requests';
  if (!typeGranted(grant, type)) return `the token's scopes do not cover ${type}`;
  if (method === 'GET' && segments.length === 1) return undefined;
  if (method === 'POST' && segments.length === 2 && id === '_search') return undefined;
  if (!id || id.startsWith('_') || id.startsWith('$')) return `${segments.join('/')} is not available to a patient token`;
  if (type === 'Patient' && operation === '$everything' && segments.length === 3) {
    if (id !== grant.patient) return `a patient token may only ask for Patient/${grant.patient}/$everything`;
    return grant.types === '*' ? undefined : 'Patient/$everything needs patient/*.read or patient/*.rs';
  }
  if (method !== 'GET' || (segments.length > 2 && operation !== '_history')) return `${segments.join('/')} is not available to a patient token`;
  const resource = repo.get(type, id);
  // A resource that is not there gets the router's 404; one outside the compartment is refused.
  if (resource && !visibleToPatient(resource, grant.patient)) return `${type}/${id} is outside the compartment of Patient/${grant.patient}`;
  return undefined;
}

/** The search filter for a patient token: its compartment and the directory, of the granted types. */
export function patientFilter(grant: PatientGrant): (resource: Resource) => boolean {
  return (resource) => typeGranted(grant, resource.resourceType) && visibleToPatient(resource, grant.patient);
}

function typeGranted(grant: PatientGrant, type: string): boolean {
  if (DIRECTORY_TYPES.has(type)) return true;
  return isCompartmentType(type) && (grant.types === '*' || grant.types.has(type));
}
