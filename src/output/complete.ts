import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OWN_ENTRY } from './target.js';

/** What an output directory holds, as `start` sees it. */
export type OutputState =
  | { kind: 'empty' }
  | { kind: 'complete' }
  | { kind: 'incomplete'; reason: string }
  | { kind: 'foreign'; files: string[] };

interface ManifestLike {
  files?: unknown;
  members?: { total?: unknown; written?: unknown; first?: unknown; last?: unknown };
  shard?: { index?: unknown; count?: unknown };
}

/**
 * Tells a missing or empty directory, a complete fhirseed population, an fhirseed output without a
 * complete manifest (an interrupted run of an older version, a lost shard) and a directory holding
 * files fhirseed did not write. Complete: manifest.json — or manifest.shard-i-of-N.json for every i
 * of one N — present and parsable, every file each lists present, a member bundle for every member
 * written when bundles were written, and as many members written as the population has.
 */
export function outputState(dir: string): OutputState {
  if (!existsSync(dir)) return { kind: 'empty' };
  const entries = readdirSync(dir);
  if (!entries.length) return { kind: 'empty' };
  const foreign = entries.filter((e) => !OWN_ENTRY.test(e));
  if (foreign.length) return { kind: 'foreign', files: foreign };
  const reason = incompleteness(dir, entries);
  return reason === undefined ? { kind: 'complete' } : { kind: 'incomplete', reason };
}

function incompleteness(dir: string, entries: string[]): string | undefined {
  const names = entries.filter((e) => /^manifest(\.shard-\d+-of-\d+)?\.json$/.test(e)).sort();
  if (!names.length) return 'no manifest.json';
  const manifests: ManifestLike[] = [];
  for (const name of names) {
    try {
      manifests.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as ManifestLike);
    } catch {
      return `${name} is not readable JSON`;
    }
  }
  const whole = names.includes('manifest.json');
  if (!whole) {
    const counts = new Set(names.map((n) => /of-(\d+)\./.exec(n)![1]));
    if (counts.size > 1) return `shard manifests of different shard counts (${names.join(', ')})`;
    const count = Number([...counts][0]);
    for (let i = 1; i <= count; i++) {
      if (!names.includes(`manifest.shard-${i}-of-${count}.json`)) return `manifest.shard-${i}-of-${count}.json is missing`;
    }
  }
  const used = whole ? [manifests[names.indexOf('manifest.json')]!] : manifests;
  let written = 0;
  let total: unknown;
  const memberBundles = existsSync(join(dir, 'bundles')) ? new Set(readdirSync(join(dir, 'bundles'))) : new Set<string>();
  for (const m of used) {
    if (!Array.isArray(m.files) || typeof m.members?.written !== 'number') return 'a manifest lacks files or members';
    for (const file of m.files) if (typeof file !== 'string' || !existsSync(join(dir, file))) return `${String(file)}, listed in the manifest, is missing`;
    written += m.members.written;
    total = m.members.total;
    const { first, last } = m.members;
    if (memberBundles.size && typeof first === 'number' && typeof last === 'number') {
      for (let i = first; i <= last; i++) {
        const file = `member-${String(i).padStart(6, '0')}.json`;
        if (!memberBundles.has(file)) return `bundles/${file} is missing`;
      }
    }
  }
  if (written !== total) return `${written} of ${String(total)} members written`;
  return undefined;
}
