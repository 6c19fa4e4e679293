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
  let keys: string[];
  if (name.endsWith('[x]')) {
    const prefix = name.slice(0, -3);
    keys = typeSlice ? [typeSlice] : Object.keys(node).filter((k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length)));
  } else keys = [name];
  return keys.flatMap((k) => (node[k] === undefined ? [] : Array.isArray(node[k]) ? node[k] : [node[k]]));
}

/** Follows a dotted FHIRPath-ish discriminator path (`code.coding`, `extension('url').value`, `$this`, `resolve()` skipped). */
export function followPath(node: Json, path: string): Json[] {
  if (path === '$this') return [node];
  let nodes: Json[] = [node];
  for (const part of path.split(/\.(?![^(]*\))/)) {
    if (part === '$this' || part === 'resolve()') continue;
    const ext = /^extension\('([^']+)'\)$/.exec(part);
    if (ext) nodes = nodes.flatMap((n) => childrenOf(n, 'extension').filter((e) => e?.url === ext[1]));
    else if (part.startsWith('ofType(')) continue;
    else nodes = nodes.flatMap((n) => childrenOf(n, part.endsWith('[x]') ? part : part));
  }
  return nodes;
}
