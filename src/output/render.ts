import type { Resource } from '@medplum/fhirtypes';
import { accountCsvRow, type TestAccount } from './accounts.js';
import { stableUuid, transactionBundle } from './bundle.js';
import { splitGroup } from './split.js';
import type { OutputFormat } from './writer.js';

/** How a group of resources is turned into text. */
export interface RenderOptions {
  formats: ReadonlySet<OutputFormat>;
  /** Entries per bundle file at most: a larger group goes to `<name>-2.json`, `<name>-3.json`, … */
  maxBundleEntries: number;
  /** Indented bundles (2 spaces) for people who read them; compact (one line) by default. NDJSON is always compact. */
  pretty?: boolean;
}

/**
 * One member (or the directory) as the text the writer puts in files: plain strings and numbers,
 * so that it crosses from a worker thread as it is. `ndjson` is the lines of each resource type in
 * the group's order; `bundles` the bundle files (relative to the output directory) in order.
 */
export interface RenderedGroup {
  bundles: { file: string; text: string }[];
  ndjson: [type: string, lines: string][];
  byType: Record<string, number>;
  byProfile: Record<string, number>;
  account?: { csv: string; json: string };
}

/**
 * Serialises each resource once (JSON.stringify, compact): the NDJSON line and the compact bundle
 * are assembled from that text, so a compact bundle's bytes are exactly
 * `JSON.stringify(transactionBundle(part)) + '\n'`. With `pretty`, bundles are indented as before
 * (a second stringify, for people reading the files).
 */
export function renderGroup(bundleFile: string, resources: readonly Resource[], options: RenderOptions, account?: TestAccount): RenderedGroup {
  const byType: Record<string, number> = {};
  const byProfile: Record<string, number> = {};
  for (const r of resources) {
    byType[r.resourceType] = (byType[r.resourceType] ?? 0) + 1;
    for (const p of r.meta?.profile ?? []) byProfile[p] = (byProfile[p] ?? 0) + 1;
  }
  const compact = new Map<Resource, string>();
  const text = (r: Resource): string => {
    let json = compact.get(r);
    if (json === undefined) compact.set(r, (json = JSON.stringify(r)));
    return json;
  };
  const bundles: RenderedGroup['bundles'] = [];
  if (options.formats.has('bundles')) {
    for (const [i, part] of splitGroup(resources, options.maxBundleEntries).entries()) {
      const file = i === 0 ? bundleFile : bundleFile.replace(/\.json$/, `-${i + 1}.json`);
      bundles.push({ file, text: options.pretty ? `${JSON.stringify(transactionBundle(part), null, 2)}\n` : compactBundle(part, text) });
    }
  }
  const lines = new Map<string, string[]>();
  if (options.formats.has('ndjson')) {
    for (const r of resources) {
      let list = lines.get(r.resourceType);
      if (list === undefined) lines.set(r.resourceType, (list = []));
      list.push(text(r), '\n');
    }
  }
  return {
    bundles,
    ndjson: [...lines].map(([type, list]) => [type, list.join('')]),
    byType,
    byProfile,
    ...(account ? { account: { csv: accountCsvRow(account), json: JSON.stringify(account) } } : {}),
  };
}

/** The transaction bundle of `part` from each resource's compact text: what JSON.stringify(transactionBundle(part)) gives. */
function compactBundle(part: readonly Resource[], text: (r: Resource) => string): string {
  const entries = part.map((r) => {
    const url = `${r.resourceType}/${r.id}`;
    return `{"fullUrl":${JSON.stringify(`urn:uuid:${stableUuid(url)}`)},"resource":${text(r)},"request":{"method":"PUT","url":${JSON.stringify(url)}}}`;
  });
  return `{"resourceType":"Bundle","type":"transaction","entry":[${entries.join(',')}]}\n`;
}
