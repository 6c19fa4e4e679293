import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { AtomicMemoryRepository } from './router.js';
import { UNCHANGED_SYSTEM, unchangedOutcome } from './transaction.js';

/**
 * Whether a write asks to be answered with an OperationOutcome instead of the resource: `Prefer: return=OperationOutcome`
 * (R4 http.html#ops, "Managing Return Content").
 */
export function wantsOutcome(prefer: string | string[] | undefined): boolean {
  return [prefer ?? []].flat().some((value) => value.split(/[,;]/).some((part) => /^\s*return\s*=\s*"?OperationOutcome"?\s*$/i.test(part)));
}

/** The current version of the resource a `PUT Type/id` names (undefined for other writes, or when it does not exist). */
export function putTargetVersion(repo: AtomicMemoryRepository, method: string, segments: readonly string[]): string | undefined {
  if (method !== 'PUT' || segments.length !== 2) return undefined;
  return repo.get(segments[0]!, segments[1]!)?.meta?.versionId;
}

/**
 * The OperationOutcome answering a create or update under `Prefer: return=OperationOutcome`, as HAPI FHIR words it, with
 * its storage response codes: SUCCESSFUL_CREATE (201), SUCCESSFUL_UPDATE_NO_CHANGE when `resource` kept the version
 * `before` (an update that changed nothing), else SUCCESSFUL_UPDATE. `status` is the HTTP status of the write.
 */
export function writeOutcome(resource: Resource, status: number, before: string | undefined): OperationOutcome {
  const versioned = `${resource.resourceType}/${resource.id}${resource.meta?.versionId ? `/_history/${resource.meta.versionId}` : ''}`;
  if (status !== 201 && before !== undefined && resource.meta?.versionId === before) return unchangedOutcome(versioned);
  const [code, words] = status === 201 ? ['SUCCESSFUL_CREATE', 'created'] : ['SUCCESSFUL_UPDATE', 'updated'];
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', details: { coding: [{ system: UNCHANGED_SYSTEM, code }] }, diagnostics: `Successfully ${words} resource "${versioned}".` }],
  };
}
