import { getSearchParameters, isResourceType } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { DIRECTORY_TYPES, isCompartmentType, visibleToPatient } from './compartment.js';
import { lastContent } from './history.js';
import type { PatientGrant } from './patient-auth.js';
import type { AtomicMemoryRepository } from './router.js';
import type { Query } from './search-extras.js';
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
  if (type === 'Patient' && operation && segments.length === 3 && isResourceType(operation) && method === 'GET') {
    if (id !== grant.patient) return `a patient token may only search the compartment of Patient/${grant.patient}`;
    return typeGranted(grant, operation) ? undefined : `the token's scopes do not cover ${operation}`;
  }
  if (type === 'Patient' && operation === '$everything' && segments.length === 3) {
    if (id !== grant.patient) return `a patient token may only ask for Patient/${grant.patient}/$everything`;
    return grant.types === '*' ? undefined : 'Patient/$everything needs patient/*.read or patient/*.rs';
  }
  if (method !== 'GET' || (segments.length > 2 && operation !== '_history')) return `${segments.join('/')} is not available to a patient token`;
  // A deleted resource is judged by its last version (its 410, history and versions are the compartment's as it was).
  const resource = repo.get(type, id) ?? lastContent(repo.versions(type, id));
  // A resource that was never there gets the router's 404; one outside the compartment is refused.
  if (resource && !visibleToPatient(resource, grant.patient)) return `${type}/${id} is outside the compartment of Patient/${grant.patient}`;
  return undefined;
}

/**
 * Why a patient token's search is refused (403): it names another patient, through `_id` on Patient or a
 * reference parameter that can point to a Patient (`patient`, `subject`, `beneficiary`, …). As SMART servers
 * (HAPI's AuthorizationInterceptor, Epic, Cerner) do, asking for someone else's data is forbidden rather than
 * answered empty; a search naming no patient is restricted to the token's compartment by `patientFilter`.
 */
export function otherPatientSearch(grant: PatientGrant, type: string, query: Query): string | undefined {
  const params = getSearchParameters(type) ?? {};
  const own = `Patient/${grant.patient}`;
  for (const [key, value] of Object.entries(query)) {
    const [name = '', modifier] = key.split(':');
    const param = params[name];
    const values = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(','));
    let named: string[] = [];
    if (type === 'Patient' && name === '_id') named = values.map((v) => `Patient/${v}`);
    else if (param?.type === 'reference' && (param.target ?? []).includes('Patient') && (modifier === undefined || modifier === 'Patient')) {
      // `Patient/id` after an optional base URL, with an optional `/_history/version` (a versioned reference names
      // the same patient); anything else (another type, a path going on past the id) names none, and the
      // compartment filter still applies to it.
      named = values.flatMap((v) => /^(?:.*\/)?(Patient\/[^/]+)(?:\/_history\/[^/]+)?$/.exec(v.includes('/') ? v : `Patient/${v}`)?.[1] ?? []);
    }
    const other = named.find((ref) => ref !== own);
    if (other) return `a patient token may only search the data of ${own}, not ${other}`;
  }
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
