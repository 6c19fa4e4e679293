import { primitiveProblem } from './primitives.js';

/**
 * The entries of one Bundle by `fullUrl`, against which the references of the Bundle's resources resolve.
 *
 * FHIR R4 bundle.html §2.36.4.1 "Resolving references in Bundles": an absolute reference is resolved by looking for
 * an entry whose `fullUrl` matches it; only a URL that can be fetched (`http(s):`) may then be looked for elsewhere.
 * A `urn:uuid:` or `urn:oid:` reference (references.html §2.3.0.1; the fullUrl forms of entries without a server
 * identity, bundle.html#bundle-unique) can resolve to nothing but an entry of its own Bundle (R5 bundle.html#references
 * states it: "Resolving urns … Otherwise, the resolution fails"). References in contained resources resolve as those
 * of their container.
 */
export interface BundleScope {
  /** `fullUrl` → the resource type of its entry's resource (entries with a resource of a string type only). */
  readonly fullUrls: ReadonlyMap<string, string>;
}

/**
 * The scope of a Bundle's entries: every entry with a string `fullUrl` and a resource with a string `resourceType`.
 * Never throws: a Bundle whose `entry` is not an array, or odd entries (null, no resource), give what is there.
 * When two entries share a fullUrl (bdl-7 allows it only for versions of one resource), the first is kept.
 */
export function bundleScope(bundle: { entry?: unknown }): BundleScope {
  const fullUrls = new Map<string, string>();
  if (Array.isArray(bundle.entry)) {
    for (const entry of bundle.entry as { fullUrl?: unknown; resource?: { resourceType?: unknown } }[]) {
      const type = entry?.resource?.resourceType;
      if (typeof entry?.fullUrl === 'string' && typeof type === 'string' && !fullUrls.has(entry.fullUrl)) fullUrls.set(entry.fullUrl, type);
    }
  }
  return { fullUrls };
}

/**
 * Whether a reference can only resolve within its Bundle: `urn:uuid:` and `urn:oid:` (case-insensitive scheme, as
 * referenceForm reads them). Such a reference in a Bundle's resource that no entry's fullUrl matches resolves to nothing.
 */
export function resolvesOnlyInBundle(ref: string): boolean {
  return /^urn:(uuid|oid):/i.test(ref);
}

/**
 * Why a Bundle entry's `fullUrl` is not of its form, or undefined. It is "the Absolute URL for the resource" (R4
 * Bundle.entry.fullUrl), so it has a scheme (RFC 3986 §3.1; the HL7 validator's BUNDLE_ENTRY_URL_ABSOLUTE refuses
 * `Patient/1` too); a `urn:uuid:` fullUrl must be an R4 `uuid` (`urn:uuid:` and an RFC 4122 UUID in lower-case hex,
 * 8-4-4-4-12), a `urn:oid:` one an R4 `oid` (datatypes.html; bundle.html#bundle-unique names them as the fullUrls of
 * resources without a server identity). Schemes are matched case-insensitively, as references are (reference-form.ts),
 * so `URN:UUID:…` is told too. Other URIs are left to the `uri` type's own check.
 */
export function fullUrlProblem(fullUrl: string): string | undefined {
  if (/^urn:uuid:/i.test(fullUrl) && primitiveProblem('uuid', fullUrl)) return `${JSON.stringify(fullUrl)} is not urn:uuid: and a UUID in lower-case hex (R4 uuid, RFC 4122: urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`;
  if (/^urn:oid:/i.test(fullUrl) && primitiveProblem('oid', fullUrl)) return `${JSON.stringify(fullUrl)} is not urn:oid: and an OID (R4 oid, e.g. urn:oid:2.16.840.1)`;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(fullUrl)) return `${JSON.stringify(fullUrl)} is not an absolute URL (R4 Bundle.entry.fullUrl, "the Absolute URL for the resource": https://…/Type/id, urn:uuid:… or urn:oid:…)`;
  return undefined;
}
