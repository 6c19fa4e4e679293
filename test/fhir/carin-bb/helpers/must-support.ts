import { isDeepStrictEqual } from 'node:util';
import { packageFiles } from '../../../helpers/packages.js';

/**
 * Which must-support elements of a profile a set of resources populates. Elements are found by
 * their snapshot id, slices included (pattern/value discriminators, extension urls, choice-type
 * slices, and slices told apart by a required binding such as adjudicationamounttype).
 */
type Json = any;

interface Element {
  id: string;
  mustSupport?: boolean;
  slicing?: { discriminator?: { type: string; path: string }[] };
  binding?: { strength: string; valueSet?: string };
  type?: { code: string; profile?: string[] }[];
  [key: string]: unknown;
}

const PACKAGE = 'hl7.fhir.us.carin-bb-2.0.0';

function packageJson(name: string): Json[] {
  return [...packageFiles(name).entries()].filter(([f]) => /^[A-Za-z]+-[^/]+\.json$/.test(f)).map(([, b]) => JSON.parse(b.toString('utf8')));
}

let cache: { sds: Map<string, Json>; valueSets: Map<string, Json> } | undefined;
function definitions() {
  if (!cache) {
    const all = packageJson(PACKAGE);
    cache = {
      sds: new Map(all.filter((r) => r.resourceType === 'StructureDefinition').map((r) => [`${r.url}|${r.version}`, r])),
      valueSets: new Map(all.filter((r) => r.resourceType === 'ValueSet').map((r) => [r.url, r])),
    };
  }
  return cache;
}

export function snapshotElements(canonical: string): Element[] {
  const sd = definitions().sds.get(canonical);
  if (!sd) throw new Error(`no StructureDefinition ${canonical} in ${PACKAGE}`);
  return sd.snapshot.element;
}

/** Whether a value set of the package allows system|code: listed concepts, or a code system included whole. */
function valueSetAllows(url: string, system: string, code: string): boolean {
  const vs = definitions().valueSets.get(url.split('|')[0]!);
  return (vs?.compose?.include ?? []).some((inc: Json) => inc.system === system && (!inc.concept || inc.concept.some((c: Json) => c.code === code)));
}

function matchesPattern(value: Json, pattern: Json): boolean {
  if (pattern === null || typeof pattern !== 'object') return isDeepStrictEqual(value, pattern);
  if (Array.isArray(pattern)) return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([k, p]) => matchesPattern(value[k], p));
}

function fixedOrPattern(el: Element | undefined): Json | undefined {
  if (!el) return undefined;
  const key = Object.keys(el).find((k) => k.startsWith('fixed') || k.startsWith('pattern'));
  return key === undefined ? undefined : el[key];
}

function children(node: Json, name: string, choiceSlice?: string): Json[] {
  if (node === null || typeof node !== 'object') return [];
  const keys = name.endsWith('[x]')
    ? choiceSlice
      ? [choiceSlice]
      : Object.keys(node).filter((k) => k.startsWith(name.slice(0, -3)) && /^[A-Z]/.test(k.slice(name.length - 3)))
    : [name];
  return keys.flatMap((k) => (node[k] === undefined ? [] : Array.isArray(node[k]) ? node[k] : [node[k]]));
}

/** Nodes of one resource that an element (by snapshot id) stands for. */
export function elementNodes(resource: Json, elements: Element[], id: string): Json[] {
  const byId = new Map(elements.map((e) => [e.id, e]));
  const inSlice = (node: Json, baseId: string, sliceId: string): boolean =>
    (byId.get(baseId)?.slicing?.discriminator ?? []).every((d) => {
      if (d.type !== 'value' && d.type !== 'pattern') return true;
      const values = d.path === '$this' ? [node] : d.path.split('.').reduce<Json[]>((acc, part) => acc.flatMap((n) => children(n, part)), [node]);
      const target = byId.get(d.path === '$this' ? sliceId : `${sliceId}.${d.path}`);
      const expected = fixedOrPattern(target);
      if (expected !== undefined) return values.some((v) => matchesPattern(v, expected));
      if (d.path === 'url') return values.includes(byId.get(sliceId)?.type?.[0]?.profile?.[0]);
      const vs = target?.binding?.strength === 'required' ? target.binding.valueSet : undefined;
      if (vs) return values.some((v) => (v?.coding ?? []).some((c: Json) => valueSetAllows(vs, c.system, c.code)));
      return true;
    });
  const resolve = (elementId: string): Json[] => {
    const dot = elementId.lastIndexOf('.');
    if (dot < 0) return [resource];
    const parentId = elementId.slice(0, dot);
    const [name, slice] = elementId.slice(dot + 1).split(':') as [string, string | undefined];
    const choice = name.endsWith('[x]');
    const kids = resolve(parentId).flatMap((p) => children(p, name, choice ? slice : undefined));
    return slice && !choice ? kids.filter((k) => inSlice(k, `${parentId}.${name}`, elementId)) : kids;
  };
  return resolve(id);
}

/** Must-support element ids of a profile that none of the resources populates. */
export function unpopulatedMustSupport(resources: Json[], canonical: string): string[] {
  const elements = snapshotElements(canonical);
  return elements
    .filter((e) => e.mustSupport && !resources.some((r) => elementNodes(r, elements, e.id).length > 0))
    .map((e) => e.id);
}
