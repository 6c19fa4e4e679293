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
