import { generateId, OperationOutcomeError } from '@medplum/core';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';

/**
 * The key that marks a stored version as a deletion (a tombstone: type, id and `meta` only). No FHIR JSON property has
 * a colon in its name, so no resource a client sends can carry it.
 */
const DELETED = 'fhirseed:deleted';

/**
 * The version a DELETE adds to a resource's history (R4 http.html#delete: "the resource is no longer found through
 * search interactions, [and] subsequent version independent read interactions return 410 Gone", while its history
 * keeps the deletion): `meta.versionId` a new id, `meta.lastUpdated` now (ISO 8601 instant).
 */
export function tombstone(resourceType: string, id: string): Resource {
  return { resourceType, id, meta: { versionId: generateId(), lastUpdated: new Date().toISOString() }, [DELETED]: true } as Resource;
}

/** The deletion of a resource whose store kept no tombstone for it (made before they were kept): no meta. */
export function untimedTombstone(resourceType: string, id: string): Resource {
  return { resourceType, id, [DELETED]: true } as Resource;
}

/** Whether a stored version is a deletion made by tombstone() or untimedTombstone(). */
export function isTombstone(version: Resource | undefined): boolean {
  return Boolean(version && (version as unknown as Record<string, unknown>)[DELETED]);
}

/** The newest of `versions` (oldest first) that is not a deletion: a deleted resource as it last was; undefined if none. */
export function lastContent(versions: Resource[]): Resource | undefined {
  return [...versions].reverse().find((v) => !isTombstone(v));
}

/** An OperationOutcome whose id medplum's getStatus maps to the HTTP status (`not-found` 404, `gone` 410). */
function outcomeOf(id: 'not-found' | 'gone', code: 'not-found' | 'deleted', text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', id, issue: [{ severity: 'error', code, details: { text } }] };
}

/**
 * The error of a read of `Type/id` that has no current version (R4 http.html#read): 410 Gone (`deleted`) when its
 * history ends in a deletion — or, in a store made before deletions were kept as versions, holds versions at all —
 * else 404 (`not-found`) naming it. `versions`: its stored versions, oldest first (may be empty).
 */
export function missingResource(resourceType: string, id: string, versions: Resource[]): OperationOutcomeError {
  const last = versions.at(-1);
  if (!last) return new OperationOutcomeError(outcomeOf('not-found', 'not-found', `${resourceType}/${id} is not known`));
  return new OperationOutcomeError(outcomeOf('gone', 'deleted', deletedText(resourceType, id, isTombstone(last) ? last : undefined)));
}

/**
 * What a 410 says of a deleted resource (a read's and a vread's of the deletion): when it was deleted (`deletion`'s
 * `meta.lastUpdated`, left out when unknown) and where its versions are.
 */
function deletedText(resourceType: string, id: string, deletion: Resource | undefined): string {
  const when = deletion?.meta?.lastUpdated ? ` at ${deletion.meta.lastUpdated}` : '';
  return `${resourceType}/${id} was deleted${when}; its versions are at ${resourceType}/${id}/_history`;
}

/**
 * The error of a DELETE of `Type/id` that never existed: 404 (`not-found`) naming it. A DELETE of a resource that was
 * deleted already is no error (see deletedAlready).
 */
export function nothingToDelete(resourceType: string, id: string): OperationOutcomeError {
  return new OperationOutcomeError(outcomeOf('not-found', 'not-found', `${resourceType}/${id} is not known`));
}

/**
 * Whether a DELETE of a resource with these stored versions (oldest first) finds it deleted already: its last version is
 * a deletion. R4 http.html#delete: "Performing this interaction on a resource that is already deleted has no effect,
 * and the server should return either a 200 OK status code or a 204 No Content", so the stores change nothing and the
 * answer is the 200 a first DELETE gets (alreadyDeletedOutcome).
 */
export function deletedAlready(versions: Resource[]): boolean {
  return isTombstone(versions.at(-1));
}

/** The 200 OperationOutcome (`informational`) of a DELETE of a resource deleted already, saying when it was. */
export function alreadyDeletedOutcome(resourceType: string, id: string, versions: Resource[]): OperationOutcome {
  const last = versions.at(-1);
  const when = last?.meta?.lastUpdated ? ` at ${last.meta.lastUpdated}` : '';
  return { resourceType: 'OperationOutcome', id: 'ok', issue: [{ severity: 'information', code: 'informational', details: { text: `${resourceType}/${id} was deleted already${when}; nothing changed` } }] };
}

/**
 * The error of a vread (`Type/id/_history/vid`) that finds no version to show: 404 when there is no such version (or
 * resource), 410 Gone when that version is the resource's deletion (R4 http.html#vread).
 */
export function missingVersion(resourceType: string, id: string, versionId: string, versions: Resource[]): OperationOutcomeError {
  if (!versions.length) return missingResource(resourceType, id, versions);
  const version = versions.find((v) => v.meta?.versionId === versionId);
  if (version && isTombstone(version)) {
    return new OperationOutcomeError(outcomeOf('gone', 'deleted', `${resourceType}/${id}/_history/${versionId} is the deletion of ${resourceType}/${id}: ${deletedText(resourceType, id, version)}`));
  }
  return new OperationOutcomeError(outcomeOf('not-found', 'not-found', `${resourceType}/${id} has no version ${versionId} (its versions: ${resourceType}/${id}/_history)`));
}

/**
 * A resource's history as R4 wants it (http.html#history, Bundle invariants bdl-3 and bdl-4: a `history` Bundle's
 * entries carry `request` and `response`): newest first, `total` the number of versions; each entry `request` — POST
 * `Type` for the first version and for one made after a deletion, PUT `Type/id` for an update, DELETE `Type/id` for a
 * deletion — and `response` — status (201 Created, 200 OK, 204 No Content), `etag` W/"versionId", `lastModified` the
 * version's `meta.lastUpdated`; a deletion has no `resource` (R4: "the entry SHALL contain a resource" only for PUT
 * and POST). `base` (the server's FHIR base URL): each entry's `fullUrl` is `base/Type/id` (version-independent, as
 * Bundle.entry.fullUrl must be); without it, no fullUrl (an answer inside a batch-response, where the client knows
 * the base). `versions`: oldest first, tombstones for deletions.
 */
export function historyBundle(resourceType: string, id: string, versions: Resource[], base?: string): Bundle {
  const entries: BundleEntry[] = versions.map((version, i) => {
    const deleted = isTombstone(version);
    const created = !deleted && (i === 0 || isTombstone(versions[i - 1]));
    const { versionId, lastUpdated } = version.meta ?? {};
    const request = deleted || !created ? { method: deleted ? 'DELETE' : 'PUT', url: `${resourceType}/${id}` } : { method: 'POST', url: resourceType };
    const response = {
      status: deleted ? '204 No Content' : created ? '201 Created' : '200 OK',
      ...(versionId ? { etag: `W/"${versionId}"` } : {}),
      ...(lastUpdated ? { lastModified: lastUpdated } : {}),
    };
    return { ...(base ? { fullUrl: `${base}/${resourceType}/${id}` } : {}), ...(deleted ? {} : { resource: version }), request, response } as BundleEntry;
  });
  entries.reverse();
  return { resourceType: 'Bundle', type: 'history', total: entries.length, ...(entries.length ? { entry: entries } : {}) };
}
