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

/**
 * A fixed or pattern value compiled to a test equal to `matchesFixedOrPattern(value, fp)`: primitives compared
 * with Object.is (as isDeepStrictEqual does), pattern objects and arrays unrolled into nested closures once.
 */
export function compileFixedOrPattern(fp: { kind: 'fixed' | 'pattern'; value: Json }): (value: Json) => boolean {
  if (fp.value === null || typeof fp.value !== 'object') return (v) => Object.is(v, fp.value);
  return fp.kind === 'fixed' ? (v) => isDeepStrictEqual(v, fp.value) : compilePattern(fp.value);
}

function compilePattern(pattern: Json): (value: Json) => boolean {
  if (pattern === null || typeof pattern !== 'object') return (v) => Object.is(v, pattern);
  if (Array.isArray(pattern)) {
    const items = pattern.map(compilePattern);
    return (v) => Array.isArray(v) && items.every((m) => v.some(m));
  }
  const entries = Object.entries(pattern).map(([k, p]) => [k, compilePattern(p)] as const);
  return (v) => {
    if (v === null || typeof v !== 'object') return false;
    for (const [k, m] of entries) if (!m(v[k])) return false;
    return true;
  };
}

/** Children of a JSON node named by an element name; `value[x]` matches every `valueXxx` (or just the slice's type). */
export function childrenOf(node: Json, name: string, typeSlice?: string): Json[] {
  if (node === null || typeof node !== 'object') return [];
  if (!name.endsWith('[x]')) {
    const v = node[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }
  if (typeSlice) {
    const v = node[typeSlice];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }
  // Every `prefixXxx` key (an upper-case ASCII letter after the prefix), in key order.
  const prefix = name.slice(0, -3);
  const found: Json[] = [];
  for (const k in node) {
    if (!Object.hasOwn(node, k)) continue;
    const c = k.charCodeAt(prefix.length);
    if (!(c >= 65 && c <= 90) || !k.startsWith(prefix)) continue;
    const v = node[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) found.push(x);
    else found.push(v);
  }
  return found;
}

/** Follows a dotted FHIRPath-ish discriminator path (`code.coding`, `extension('url').value`, `$this`, `resolve()` skipped). */
export function followPath(node: Json, path: string): Json[] {
  return pathFollower(path)(node);
}

/** `followPath` for one path, its steps split once: a profile's few dozen discriminator paths are followed for every sliced node. */
export function pathFollower(path: string): (node: Json) => Json[] {
  let follow = PATHS.get(path);
  if (follow) return follow;
  if (path === '$this') follow = (node) => [node];
  else {
    const steps = path.split(/\.(?![^(]*\))/).flatMap((part): PathStep[] => {
      if (part === '$this' || part === 'resolve()' || part.startsWith('ofType(')) return [];
      const ext = /^extension\('([^']+)'\)$/.exec(part);
      return [ext ? { name: 'extension', url: ext[1] } : { name: part }];
    });
    const only = steps.length === 1 && steps[0]!.url === undefined ? steps[0]!.name : undefined;
    follow =
      only !== undefined
        ? (node) => childrenOf(node, only)
        : (node) => {
            let nodes: Json[] = [node];
            for (const step of steps) {
              const next: Json[] = [];
              for (const n of nodes) for (const k of childrenOf(n, step.name)) if (step.url === undefined || k?.url === step.url) next.push(k);
              nodes = next;
            }
            return nodes;
          };
  }
  PATHS.set(path, follow);
  return follow;
}

interface PathStep {
  name: string;
  url?: string;
}

const PATHS = new Map<string, (node: Json) => Json[]>();
