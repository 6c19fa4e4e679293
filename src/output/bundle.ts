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
  // One-shot hash straight to hex: no Hash object, Buffer or copy per resource (same text as createHash's digest
  // with the version and variant bits set on bytes 6 and 8; issue 13).
  const hex = hash('sha256', `fhirseed:${name}`, 'hex');
  // Byte 6's high nibble becomes 5 (the version); byte 8's two high bits become 10 (the variant).
  const variant = VARIANT[hex.charCodeAt(16)]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The variant's hex digit by the char code of byte 8's high-nibble digit: 10xx, the low two bits kept. */
const VARIANT: string[] = [];
for (let v = 0; v < 16; v++) VARIANT['0123456789abcdef'.charCodeAt(v)] = (8 | (v & 3)).toString(16);
