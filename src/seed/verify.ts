import { FHIRSEED_RUN_TAG_SYSTEM } from '../fhir/context.js';
import { AuthRefused, NetworkFailure, type FhirHttpClient } from './http.js';
import { describeFailure } from './outcome.js';

export interface VerifyRow {
  type: string;
  expected: number;
  /** What the server counts under the run tag; undefined when the count failed. */
  actual: number | undefined;
  ok: boolean;
  /** Why the row is not ok: `3 missing`, `2 more than the manifest`, or why the count failed. */
  problem?: string;
}

export function runTagToken(runId: string): string {
  return `${FHIRSEED_RUN_TAG_SYSTEM}|${runId}`;
}

/** How many resources of a type carry a tag (`_summary=count`, falling back to `_total=accurate`). */
export async function countTagged(client: FhirHttpClient, type: string, tagToken: string): Promise<number> {
  const tag = encodeURIComponent(tagToken);
  for (const query of [`_tag=${tag}&_summary=count`, `_tag=${tag}&_count=0&_total=accurate`]) {
    const response = await client.send('GET', `${type}?${query}`);
    if (response.status !== 200) throw new Error(describeFailure(response.status, response.body));
    const total = (response.body as { total?: unknown } | undefined)?.total;
    if (typeof total === 'number') return total;
  }
  throw new Error('the server gave no total for a count search');
}

/** Counts by type under the run tag against the manifest, type by type. Throws NetworkFailure/AuthRefused (the server gone, credentials refused). */
export async function verifyCounts(client: FhirHttpClient, runId: string, expected: Record<string, number>): Promise<VerifyRow[]> {
  const rows: VerifyRow[] = [];
  for (const [type, count] of Object.entries(expected).sort(([a], [b]) => (a < b ? -1 : 1))) {
    try {
      const actual = await countTagged(client, type, runTagToken(runId));
      rows.push({ type, expected: count, actual, ok: actual === count, ...(actual === count ? {} : { problem: countDifference(count, actual) }) });
    } catch (error) {
      // The server gone or the credentials refused: not a difference in this type's count (the caller says so once).
      if (error instanceof NetworkFailure || error instanceof AuthRefused) throw error;
      rows.push({ type, expected: count, actual: undefined, ok: false, problem: error instanceof Error ? error.message : String(error) });
    }
  }
  return rows;
}

/** A count under the run tag against the manifest's, in words: `3 missing`, `2 more than the manifest`. */
function countDifference(expected: number, actual: number): string {
  return actual < expected ? `${expected - actual} missing` : `${actual - expected} more than the manifest`;
}
