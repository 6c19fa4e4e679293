import { hash } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/**
 * A transaction Bundle that upserts each resource with PUT at its deterministic id, so loading it
 * twice changes nothing. fullUrl must be absolute, and the server base is not known here, so each
 * entry gets a lower-case urn:uuid derived from its type and id (the same every run); references
 * inside the resources stay relative (`Patient/<id>`) and resolve against the server.
 */
export function transactionBundle(resources: readonly Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource): BundleEntry => {
      const url = `${resource.resourceType}/${resource.id}`;
      return { fullUrl: `urn:uuid:${stableUuid(url)}`, resource, request: { method: 'PUT', url } };
    }),
  };
}

/** A name-based UUID (version 5 layout over SHA-256 bits) for a resource URL. */
export function stableUuid(name: string): string {
  // One-shot hash: no Hash object per resource (same bytes as createHash).
  const h = hash('sha256', `fhirseed:${name}`, 'buffer');
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
