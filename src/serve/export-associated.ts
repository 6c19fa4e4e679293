import type { Provenance, Resource } from '@medplum/fhirtypes';

/** The `includeAssociatedData` values of Bulk Data Access 2.0.0 this server answers. */
export const ASSOCIATED_DATA = ['LatestProvenanceResources', 'RelevantProvenanceResources'] as const;
export type AssociatedData = (typeof ASSOCIATED_DATA)[number];

/**
 * The Provenance resources associated with the exported resources (`exported`: `Type/id` of each non-Provenance
 * resource written), by `Provenance.target` (a versioned reference counts for its resource):
 * `RelevantProvenanceResources` every Provenance that targets one of them; `LatestProvenanceResources`, per
 * exported resource, the one among those with the latest `recorded` (ties: the later `meta.lastUpdated`, then
 * the greater id), so a Provenance is returned when it is the latest for at least one exported resource. In the
 * order `provenances` gives them.
 */
export function associatedProvenance(provenances: Iterable<Resource>, exported: ReadonlySet<string>, mode: AssociatedData): Resource[] {
  const relevant: Provenance[] = [];
  const latest = new Map<string, Provenance>();
  for (const resource of provenances) {
    const provenance = resource as Provenance;
    const targets = (provenance.target ?? []).map((t) => (t.reference ?? '').replace(/\/_history\/[^/]+$/, '')).filter((ref) => exported.has(ref));
    if (!targets.length) continue;
    relevant.push(provenance);
    for (const target of targets) {
      const held = latest.get(target);
      if (!held || later(provenance, held)) latest.set(target, provenance);
    }
  }
  if (mode === 'RelevantProvenanceResources') return relevant;
  const chosen = new Set(latest.values());
  return relevant.filter((p) => chosen.has(p));
}

function later(a: Provenance, b: Provenance): boolean {
  const byRecorded = Date.parse(a.recorded ?? '') - Date.parse(b.recorded ?? '');
  if (byRecorded) return byRecorded > 0;
  const byUpdate = Date.parse(a.meta?.lastUpdated ?? '') - Date.parse(b.meta?.lastUpdated ?? '');
  if (byUpdate) return byUpdate > 0;
  return (a.id ?? '') > (b.id ?? '');
}
