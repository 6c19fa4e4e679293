import { isDeepStrictEqual } from 'node:util';
import type { ElementDefinition } from './types.js';

export type Json = any;

/** The fixed[x] or pattern[x] value of an element, if any. */
export function fixedOrPattern(el: ElementDefinition): { kind: 'fixed' | 'pattern'; value: Json } | undefined {
  for (const [k, v] of Object.entries(el)) {
    if (k.startsWith('fixed')) return { kind: 'fixed', value: v };
    if (k.startsWith('pattern')) return { kind: 'pattern', value: v };
  }
  return undefined;
}

/** Whether a value carries everything in a pattern (arrays: each pattern item matched by some value item). */
export function matchesPattern(value: Json, pattern: Json): boolean {
  if (pattern === null || typeof pattern !== 'object') return isDeepStrictEqual(value, pattern);
  if (Array.isArray(pattern)) return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([k, p]) => matchesPattern(value[k], p));
}

export function matchesFixedOrPattern(value: Json, fp: { kind: 'fixed' | 'pattern'; value: Json }): boolean {
  return fp.kind === 'fixed' ? isDeepStrictEqual(value, fp.value) : matchesPattern(value, fp.value);
}

/** Children of a JSON node named by an element name; `value[x]` matches every `valueXxx` (or just the slice's type). */
export function childrenOf(node: Json, name: string, typeSlice?: string): Json[] {
  if (node === null || typeof node !== 'object') return [];
  if (!name.endsWith('[x]')) {
    const v = node[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }
  const prefix = name.slice(0, -3);
  const keys = typeSlice ? [typeSlice] : Object.keys(node).filter((k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length)));
  return keys.flatMap((k) => (node[k] === undefined ? [] : Array.isArray(node[k]) ? node[k] : [node[k]]));
}

/** Follows a dotted FHIRPath-ish discriminator path (`code.coding`, `extension('url').value`, `$this`, `resolve()` skipped). */
export function followPath(node: Json, path: string): Json[] {
  if (path === '$this') return [node];
  let steps = PATHS.get(path);
  if (!steps) {
    steps = path.split(/\.(?![^(]*\))/).flatMap((part): PathStep[] => {
      if (part === '$this' || part === 'resolve()' || part.startsWith('ofType(')) return [];
      const ext = /^extension\('([^']+)'\)$/.exec(part);
      return [ext ? { name: 'extension', url: ext[1] } : { name: part }];
    });
    PATHS.set(path, steps);
  }
  let nodes: Json[] = [node];
  for (const step of steps) {
    nodes = step.url === undefined ? nodes.flatMap((n) => childrenOf(n, step.name)) : nodes.flatMap((n) => childrenOf(n, 'extension').filter((e) => e?.url === step.url));
  }
  return nodes;
}

interface PathStep {
  name: string;
  url?: string;
}

/** Discriminator paths split once (a profile's few dozen paths are followed for every sliced node). */
const PATHS = new Map<string, PathStep[]>();
