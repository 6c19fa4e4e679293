import type { SeedEntry } from './source.js';

/**
 * A unit of work: its chunks go to the server one after another (a later chunk may reference what an
 * earlier one stored); different work items run in parallel. `files` are the member files it
 * completes, recorded in the checkpoint once every chunk is acknowledged.
 */
export interface WorkItem {
  files: string[];
  chunks: SeedEntry[][];
}

export interface Group {
  file: string;
  entries: SeedEntry[];
}

/**
 * Packs whole groups (members) into chunks of at most `size` entries; a group larger than `size` is
 * split, in dependency order, into sequential chunks of its own. Every entry appears exactly once,
 * in order, and no group is spread over two work items — so each keeps its references intact.
 */
export function* planWork(groups: Iterable<Group>, size: number): Generator<WorkItem> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bundle size ${size}`);
  let pending: WorkItem = { files: [], chunks: [[]] };
  for (const group of groups) {
    const entries = dependencyOrder(group.entries);
    if (entries.length > size) {
      if (pending.files.length) yield pending;
      pending = { files: [], chunks: [[]] };
      const chunks: SeedEntry[][] = [];
      for (let i = 0; i < entries.length; i += size) chunks.push(entries.slice(i, i + size));
      yield { files: [group.file], chunks };
      continue;
    }
    if (pending.chunks[0]!.length + entries.length > size && pending.files.length) {
      yield pending;
      pending = { files: [], chunks: [[]] };
    }
    pending.files.push(group.file);
    pending.chunks[0]!.push(...entries);
  }
  if (pending.files.length) yield pending;
}

/**
 * Orders entries so that each comes after the entries of the same group it references (Patient
 * before Coverage before ExplanationOfBenefit), keeping file order otherwise. Servers that enforce
 * referential integrity then accept split chunks, batches and single PUTs. Cycles keep file order.
 */
export function dependencyOrder(entries: readonly SeedEntry[]): SeedEntry[] {
  const byKey = new Map(entries.map((e, i) => [`${e.type}/${e.id}`, i]));
  const deps = entries.map((e) => {
    const found = new Set<number>();
    collectReferences(e.resource, (ref) => {
      const i = byKey.get(ref);
      if (i !== undefined && entries[i] !== e) found.add(i);
    });
    return found;
  });
  const placed = new Array<boolean>(entries.length).fill(false);
  const out: SeedEntry[] = [];
  const visiting = new Set<number>();
  const visit = (i: number): void => {
    if (placed[i] || visiting.has(i)) return;
    visiting.add(i);
    for (const d of [...deps[i]!].sort((a, b) => a - b)) visit(d);
    visiting.delete(i);
    placed[i] = true;
    out.push(entries[i]!);
  };
  for (let i = 0; i < entries.length; i++) visit(i);
  return out;
}

function collectReferences(value: unknown, found: (reference: string) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) collectReferences(v, found);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') found(v);
      else if (typeof v === 'object') collectReferences(v, found);
    }
  }
}
