import { isDeepStrictEqual } from 'node:util';
import { packageFiles } from './packages.js';

/**
 * A small structural checker driven by StructureDefinition snapshots, for the generator's tests
 * until the full validator (src/validate) lands: cardinality of every element (slices included),
 * fixed and pattern values, and codes under required bindings whose value set the package enumerates.
 */
interface ElementDefinition {
  id: string;
  path: string;
  min?: number;
  max?: string;
  sliceName?: string;
  slicing?: { discriminator?: { type: string; path: string }[] };
  binding?: { strength: string; valueSet?: string };
  [key: string]: unknown;
}
interface StructureDefinition {
  url: string;
  version: string;
  snapshot: { element: ElementDefinition[] };
}

type Json = any;

const PKG = ['hl7.fhir.us.carin-bb-2.0.0', 'hl7.fhir.us.core-3.1.1'];

function resources(): Json[] {
  return PKG.flatMap((p) => [...packageFiles(p).entries()].filter(([f]) => /^[A-Za-z]+-[^/]+\.json$/.test(f)).map(([, b]) => JSON.parse(b.toString('utf8'))));
}

let index: { sds: Map<string, StructureDefinition>; valueSets: Map<string, Set<string> | undefined> } | undefined;

function load() {
  if (index) return index;
  const all = resources();
  const sds = new Map<string, StructureDefinition>();
  const codeSystems = new Map<string, string[]>();
  const vsJson = new Map<string, Json>();
  for (const r of all) {
    if (r.resourceType === 'StructureDefinition') sds.set(`${r.url}|${r.version}`, r);
    if (r.resourceType === 'CodeSystem' && r.concept) codeSystems.set(r.url, r.concept.map((c: Json) => c.code));
    if (r.resourceType === 'ValueSet') vsJson.set(r.url, r);
  }
  const valueSets = new Map<string, Set<string> | undefined>();
  const expand = (url: string, seen = new Set<string>()): Set<string> | undefined => {
    const vs = vsJson.get(url.split('|')[0]!);
    if (!vs || seen.has(url)) return undefined;
    seen.add(url);
    const codes = new Set<string>();
    for (const inc of vs.compose?.include ?? []) {
      if (inc.concept) inc.concept.forEach((c: Json) => codes.add(`${inc.system}|${c.code}`));
      else if (inc.system && codeSystems.has(inc.system)) codeSystems.get(inc.system)!.forEach((c) => codes.add(`${inc.system}|${c}`));
      else if (inc.valueSet) {
        for (const v of inc.valueSet) {
          const sub = expand(v, seen);
          if (!sub) return undefined;
          sub.forEach((c) => codes.add(c));
        }
      } else return undefined; // an external code system: not expandable here
      if (inc.filter) return undefined;
    }
    return codes;
  };
  for (const url of vsJson.keys()) valueSets.set(url, expand(url));
  index = { sds, valueSets };
  return index;
}

function childrenOf(node: Json, name: string, sliceName?: string): Json[] {
  if (node === null || typeof node !== 'object') return [];
  let keys: string[];
  if (name.endsWith('[x]')) {
    const prefix = name.slice(0, -3);
    keys = sliceName ? [sliceName] : Object.keys(node).filter((k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length)));
  } else keys = [name];
  return keys.flatMap((k) => (node[k] === undefined ? [] : Array.isArray(node[k]) ? node[k] : [node[k]]));
}

function matchesPattern(value: Json, pattern: Json): boolean {
  if (pattern === null || typeof pattern !== 'object') return isDeepStrictEqual(value, pattern);
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([k, p]) => matchesPattern(value[k], p));
}

function fixedOrPattern(el: ElementDefinition): { kind: 'fixed' | 'pattern'; value: Json } | undefined {
  for (const [k, v] of Object.entries(el)) {
    if (k.startsWith('fixed')) return { kind: 'fixed', value: v };
    if (k.startsWith('pattern')) return { kind: 'pattern', value: v };
  }
  return undefined;
}

/** Problems of a resource against one profile (by versioned canonical), as "path: problem" strings. */
export function checkAgainstProfile(resource: Json, canonical: string): string[] {
  const { sds, valueSets } = load();
  const sd = sds.get(canonical);
  if (!sd) return [`profile ${canonical} not found in the packages`];
  const els = new Map(sd.snapshot.element.map((e) => [e.id, e]));
  const memo = new Map<string, Json[]>();
  const problems: string[] = [];

  const nodes = (id: string): Json[] => {
    const hit = memo.get(id);
    if (hit) return hit;
    let result: Json[];
    if (!id.includes('.')) result = [resource];
    else {
      const parentId = id.slice(0, lastSegmentStart(id) - 1);
      const seg = id.slice(lastSegmentStart(id));
      const [name, sliceName] = seg.split(':') as [string, string | undefined];
      const parents = nodes(parentId);
      let kids = parents.flatMap((p) => childrenOf(p, name, name.endsWith('[x]') ? sliceName : undefined));
      if (sliceName && !name.endsWith('[x]')) kids = kids.filter((k) => inSlice(k, `${parentId}.${name}`, id));
      result = kids;
    }
    memo.set(id, result);
    return result;
  };

  const inSlice = (node: Json, baseId: string, sliceId: string): boolean => {
    const base = els.get(baseId);
    const discriminators = base?.slicing?.discriminator ?? [];
    return discriminators.every((d) => {
      if (d.type === 'value' || d.type === 'pattern') {
        const el = els.get(d.path === '$this' ? sliceId : `${sliceId}.${d.path}`);
        const values = d.path === '$this' ? [node] : d.path.split('.').reduce<Json[]>((acc, part) => acc.flatMap((n) => childrenOf(n, part)), [node]);
        const fp = el && fixedOrPattern(el);
        if (fp) return values.some((v) => (fp.kind === 'fixed' ? isDeepStrictEqual(v, fp.value) : matchesPattern(v, fp.value)));
        // A slice told apart by a required binding on the discriminator (C4BB's adjudicationamounttype).
        const allowed = el?.binding?.strength === 'required' && el.binding.valueSet ? valueSets.get(el.binding.valueSet.split('|')[0]!) : undefined;
        if (allowed) return values.some((v) => (v?.coding ?? []).some((c: Json) => allowed.has(`${c.system}|${c.code}`)));
        return true;
      }
      return true;
    });
  };

  for (const el of sd.snapshot.element) {
    if (/\.(extension|modifierExtension)(:|\.|$)/.test(el.id) || el.id.includes('.contained')) continue;
    if (!el.id.includes('.')) continue;
    const parentId = el.id.slice(0, lastSegmentStart(el.id) - 1);
    const here = nodes(el.id);
    for (const parent of nodes(parentId)) {
      const seg = el.id.slice(lastSegmentStart(el.id));
      const [name, sliceName] = seg.split(':') as [string, string | undefined];
      let count = childrenOf(parent, name, name.endsWith('[x]') ? sliceName : undefined);
      if (sliceName && !name.endsWith('[x]')) count = count.filter((k) => inSlice(k, `${parentId}.${name}`, el.id));
      if ((el.min ?? 0) > count.length) problems.push(`${el.id}: ${count.length} present, profile requires at least ${el.min}`);
      if (el.max && el.max !== '*' && count.length > Number(el.max)) problems.push(`${el.id}: ${count.length} present, profile allows at most ${el.max}`);
    }
    const fp = fixedOrPattern(el);
    if (fp) {
      for (const n of here) {
        const ok = fp.kind === 'fixed' ? isDeepStrictEqual(n, fp.value) : matchesPattern(n, fp.value);
        if (!ok) problems.push(`${el.id}: ${JSON.stringify(n)} does not match ${fp.kind} ${JSON.stringify(fp.value)}`);
      }
    }
    if (el.binding?.strength === 'required' && el.binding.valueSet) {
      const allowed = valueSets.get(el.binding.valueSet.split('|')[0]!);
      if (allowed) {
        for (const n of here) {
          const codings: Json[] = typeof n === 'string' ? [] : n?.coding ?? (n?.system ? [n] : []);
          if (typeof n === 'string') continue; // bare codes are checked by the base spec's own value sets
          if (!codings.some((c) => allowed.has(`${c.system}|${c.code}`))) {
            problems.push(`${el.id}: ${JSON.stringify(codings)} not in required value set ${el.binding.valueSet}`);
          }
        }
      }
    }
  }
  return [...new Set(problems)];
}

/** Start of the last dot-separated segment of an element id (dots inside slice names don't occur in these IGs). */
function lastSegmentStart(id: string): number {
  return id.lastIndexOf('.') + 1;
}
