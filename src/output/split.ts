import type { Resource } from '@medplum/fhirtypes';

/** Entries per bundle that servers accept: Azure API for FHIR and others refuse larger bundles. */
export const DEFAULT_MAX_BUNDLE_ENTRIES = 500;

/**
 * Splits a group of resources (one member, or the directory) into parts of at most `max` resources.
 * A group within the limit comes back as it is, in its order. A larger one is reordered so that each
 * resource comes after the resources of the group it references (strongly connected components of the
 * reference graph, dependencies first, otherwise in the original order) and cut into parts that keep
 * each component whole; only a component larger than `max` (references in a circle over more than
 * `max` resources) is cut inside. Loading the parts in order then never refers forward to a part not
 * yet loaded, where that is possible at all.
 */
export function splitGroup(resources: readonly Resource[], max: number): Resource[][] {
  return splitIndexes(resources, max).map((part) => part.map((i) => resources[i]!));
}

/**
 * splitGroup as positions in `resources`: the parts, each a list of indexes (for callers that keep per-resource data by position).
 * `refs(i)` gives the references of resource `i` in the order `references` finds them (default: `references(resources[i])`;
 * a caller holding each resource's compact JSON passes `referencesInText` of it, the same list found faster).
 */
export function splitIndexes(resources: readonly Resource[], max: number, refs: (i: number) => string[] = (i) => references(resources[i])): number[][] {
  return splitKeys(
    resources.map((r) => `${r.resourceType}/${r.id}`),
    max,
    refs,
  );
}

/**
 * splitIndexes from each resource's `Type/id` (`keys`) and references alone, for a caller that no longer holds the
 * resources (render.ts GroupRenderer keeps their texts' bytes); `refs` is called only when the group is over `max`.
 */
export function splitKeys(keys: readonly string[], max: number, refs: (i: number) => string[]): number[][] {
  if (keys.length <= max) return [keys.map((_, i) => i)];
  const parts: number[][] = [];
  let current: number[] = [];
  for (const component of componentsDependenciesFirst(keys, refs)) {
    if (current.length && current.length + component.length > max) {
      parts.push(current);
      current = [];
    }
    for (const r of component) {
      if (current.length === max) {
        parts.push(current);
        current = [];
      }
      current.push(r);
    }
  }
  if (current.length) parts.push(current);
  return parts;
}

/** Tarjan's algorithm over in-group references: it emits each component after those it points to. */
function componentsDependenciesFirst(keys: readonly string[], refs: (i: number) => string[]): number[][] {
  const n = keys.length;
  const byKey = new Map<string, number>();
  for (let i = 0; i < n; i++) byKey.set(keys[i]!, i);
  // Each resource's in-group references by position, each once, in the order first referenced; `seen[w] === i + 1`
  // marks w as already an edge of i (no Set and copies per resource: a split member's every resource; issue 13).
  const seen = new Int32Array(n);
  const edges: number[][] = [];
  for (let i = 0; i < n; i++) {
    const out: number[] = [];
    for (const ref of refs(i)) {
      const w = byKey.get(ref);
      if (w !== undefined && seen[w] !== i + 1) {
        seen[w] = i + 1;
        out.push(w);
      }
    }
    edges.push(out);
  }
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  // Iterative, so that a long chain of references cannot overflow the call stack.
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [node: number, edge: number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length) {
      const frame = work[work.length - 1]!;
      const [v, e] = frame;
      if (e < edges[v]!.length) {
        frame[1]++;
        const w = edges[v]![e]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
      if (low[v] === index[v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          members.push(w);
        } while (w !== v);
        out.push(members.sort((a, b) => a - b));
      }
    }
  }
  return out;
}

/** Every relative `Type/id` reference in a resource, at any depth. */
export function references(value: unknown, found: string[] = []): string[] {
  // for…in and indexed loops rather than Object.entries: this walks every resource of a split member (issue 13).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v && typeof v === 'object') references(v, found);
    }
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const k in record) {
      const v = record[k];
      if (k === 'reference' && typeof v === 'string') found.push(v);
      else if (v && typeof v === 'object') references(v, found);
    }
  }
  return found;
}

const REFERENCE_KEY = '"reference":"';

/**
 * `references(value)` read from `JSON.stringify(value)` (compact) instead of walking the object: the same strings in
 * the same order. In compact JSON the characters `"reference":"`, their first quote not escaped, can only be a
 * `reference` key with a string value (a quote inside a string is escaped), and JSON.stringify writes keys in the
 * order `for…in` visits them. The value is read up to its closing quote, unescaped by JSON.parse when it holds a
 * backslash. Searching the text is several times faster than the walk, and render.ts makes the text anyway (issue 13).
 */
export function referencesInText(json: string): string[] {
  const found: string[] = [];
  let at = json.indexOf(REFERENCE_KEY);
  while (at !== -1) {
    if (backslashesBefore(json, at) % 2 === 1) {
      // An escaped quote: the text is inside a key or value (`"a\\"reference":"…`), not this key.
      at = json.indexOf(REFERENCE_KEY, at + 1);
      continue;
    }
    const start = at + REFERENCE_KEY.length;
    let end = json.indexOf('"', start);
    // A quote ends the string only after an even number of backslashes.
    while (backslashesBefore(json, end) % 2 === 1) end = json.indexOf('"', end + 1);
    const raw = json.slice(start, end);
    found.push(raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw);
    at = json.indexOf(REFERENCE_KEY, end + 1);
  }
  return found;
}

function backslashesBefore(text: string, at: number): number {
  let n = 0;
  while (text.charCodeAt(at - 1 - n) === 92) n++;
  return n;
}
