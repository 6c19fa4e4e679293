import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KEPT, OWN_ENTRY } from './target.js';
import type { Shard } from './writer.js';

/** What an output directory holds, as `start` sees it. */
export type OutputState =
  | { kind: 'missing' }
  /** Nothing, or only what regenerating keeps (screenshots, the seeder's and the sandbox's state): no population. */
  | { kind: 'empty' }
  /** Some shards of a sharded run, asked for without --shard: not the whole population, not to be wiped. */
  | { kind: 'partial-shards'; reason: string }
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
 * complete manifest (an interrupted run of an older version, a cut-short file) and a directory holding
 * files fhirseed did not write. Complete: manifest.json — or manifest.shard-i-of-N.json for every i
 * of one N — present and parsable, every file each lists present and whole (a JSON file from `{` or
 * `[` to `}` or `]`, an NDJSON file ending in a line break; only the ends are read), a whole member
 * bundle for every member written when bundles were written, and as many members written as the
 * population has. With `shard` (start --shard i/N) only that shard's manifest and members count; without
 * it, a directory holding some shards of a run and no manifest.json is 'partial-shards'.
 */
export function outputState(dir: string, shard?: Shard): OutputState {
  if (!existsSync(dir)) return { kind: 'missing' };
  const entries = readdirSync(dir);
  if (!entries.length) return { kind: 'empty' };
  const foreign = entries.filter((e) => !OWN_ENTRY.test(e));
  if (foreign.length) return { kind: 'foreign', files: foreign };
  if (entries.every((e) => KEPT.includes(e))) return { kind: 'empty' };
  const sharded = shard !== undefined && shard.count > 1;
  if (!sharded && !entries.includes('manifest.json')) {
    const shards = entries.filter((e) => /^manifest\.shard-\d+-of-\d+\.json$/.test(e)).sort();
    const missing = missingShard(shards);
    if (shards.length && missing) return { kind: 'partial-shards', reason: `${shards.join(', ')} ${shards.length === 1 ? 'is' : 'are'} there, ${missing} is missing` };
  }
  if (sharded && !entries.includes(`manifest.shard-${shard.index}-of-${shard.count}.json`)) {
    return { kind: 'incomplete', reason: `manifest.shard-${shard.index}-of-${shard.count}.json is missing` };
  }
  const reason = incompleteness(dir, sharded ? entries.filter((e) => e === `manifest.shard-${shard.index}-of-${shard.count}.json` || !e.startsWith('manifest')) : entries, sharded);
  return reason === undefined ? { kind: 'complete' } : { kind: 'incomplete', reason };
}

/** The first missing manifest.shard-i-of-N.json of a set of one N, if any. */
function missingShard(names: string[]): string | undefined {
  const counts = new Set(names.map((n) => /of-(\d+)\./.exec(n)![1]));
  if (counts.size !== 1) return undefined;
  const count = Number([...counts][0]);
  for (let i = 1; i <= count; i++) if (!names.includes(`manifest.shard-${i}-of-${count}.json`)) return `manifest.shard-${i}-of-${count}.json`;
  return undefined;
}

/** Whether a written file is whole, from its first and last bytes: a cut-short write misses its end. */
function cutShort(path: string): boolean {
  const isJson = path.endsWith('.json');
  if (!isJson && !path.endsWith('.ndjson')) return false;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return isJson;
    const head = Buffer.alloc(1);
    const tail = Buffer.alloc(Math.min(size, 2));
    readSync(fd, head, 0, 1, 0);
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const end = tail.toString('latin1').trimEnd();
    if (isJson) return !'{['.includes(head.toString('latin1')) || !/[}\]]$/.test(end);
    return !tail.toString('latin1').endsWith('\n');
  } finally {
    closeSync(fd);
  }
}

function incompleteness(dir: string, entries: string[], oneShard = false): string | undefined {
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
  if (!whole && !oneShard) {
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
    for (const file of m.files) {
      if (typeof file !== 'string' || !existsSync(join(dir, file))) return `${String(file)}, listed in the manifest, is missing`;
      if (cutShort(join(dir, file))) return `${file} is cut short`;
    }
    written += m.members.written;
    total = m.members.total;
    const { first, last } = m.members;
    if (memberBundles.size && typeof first === 'number' && typeof last === 'number') {
      for (let i = first; i <= last; i++) {
        const file = `member-${String(i).padStart(6, '0')}.json`;
        if (!memberBundles.has(file)) return `bundles/${file} is missing`;
        if (cutShort(join(dir, 'bundles', file))) return `bundles/${file} is cut short`;
      }
    }
  }
  if (oneShard) {
    const { first, last } = used[0]!.members ?? {};
    if (typeof first === 'number' && typeof last === 'number' && written !== last - first + 1) return `${written} of ${last - first + 1} members of the shard written`;
    return undefined;
  }
  if (written !== total) return `${written} of ${String(total)} members written`;
  return undefined;
}
