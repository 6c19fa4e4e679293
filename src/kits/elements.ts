import type { MustSupportSlice } from './kit.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

/**
 * The values at a kit path in a resource (or element): `item.adjudication.category`, choice elements
 * written `effective`, `effective[x]` or `valueQuantity`, and slices `identifier:uniqueclaimid.value`
 * resolved through `slices` (the group's must-support slices, by name). Primitive extensions
 * (`_birthDate.extension`) count for `birthDate.extension`.
 */
export function valuesAt(root: Json, path: string, slices: MustSupportSlice[] = []): Json[] {
  let current: Json[] = [root];
  for (const segment of pathSegments(path)) {
    // FHIRPath's where(url='…') of the kits' search definitions on extensions (e.g. Condition asserted-date).
    const where = /^where\(url\s*=\s*'([^']*)'\)$/.exec(segment);
    if (where) {
      current = current.filter((v) => v && typeof v === 'object' && v.url === where[1]);
      continue;
    }
    const [name = '', sliceName] = segment.split(':');
    const next: Json[] = [];
    for (const node of current) {
      if (!node || typeof node !== 'object') continue;
      next.push(...childValues(node, name));
    }
    current = sliceName ? next.filter((v) => inSlice(v, sliceName, slices)) : next;
  }
  return current.filter((v) => v !== undefined && v !== null);
}

/** A path's steps, split at the dots outside quotes and parentheses (a where() holds a URL). */
function pathSegments(path: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === '.') {
      out.push(path.slice(start, i));
      start = i + 1;
    }
  }
  out.push(path.slice(start));
  return out.filter(Boolean);
}

function childValues(node: Json, name: string): Json[] {
  const flat = (v: Json) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  if (name.endsWith('[x]')) {
    const base = name.slice(0, -3);
    return Object.keys(node).filter((k) => isChoiceOf(k, base)).flatMap((k) => flat(node[k]));
  }
  if (name in node) return [...flat(node[name]), ...flat(node[`_${name}`])];
  if (name === 'extension') return [];
  // A choice written without [x] (search definitions: `effective`, `item.serviced`), or a primitive's extension holder.
  const choices = Object.keys(node).filter((k) => isChoiceOf(k, name));
  if (choices.length) return choices.flatMap((k) => flat(node[k]));
  return flat(node[`_${name}`]);
}

function isChoiceOf(key: string, base: string): boolean {
  return key.length > base.length && key.startsWith(base) && /[A-Z]/.test(key[base.length]!);
}

/** Whether an element belongs to the named slice (by its discriminator); an unknown slice name matches by type name. */
export function inSlice(value: Json, sliceName: string, slices: MustSupportSlice[]): boolean {
  const slice = slices.find((s) => s.slice_name === sliceName);
  if (!slice) return true; // a type slice written as the choice name (valueQuantity:valueQuantity)
  return matchesDiscriminator(value, slice);
}

/** The kit's slice discriminators: pattern (CodeableConcept, Coding, Identifier), value, type, required binding. */
export function matchesDiscriminator(value: Json, slice: MustSupportSlice): boolean {
  const d = slice.discriminator;
  const at = (path: string | undefined) => (path ? valuesAt(value, path) : [value]);
  const codings = (v: Json): Json[] => (Array.isArray(v?.coding) ? v.coding : v && 'code' in v ? [v] : []);
  switch (d.type) {
    case 'patternCodeableConcept':
    case 'patternCoding':
      return at(d.path).some((v) => codings(v).some((c: Json) => c.code === d.code && (!d.system || c.system === d.system)));
    case 'patternIdentifier':
      // Inferno compares in Ruby: an identifier without a system matches a discriminator whose system is nil.
      return at(d.path).some((v) => (v?.system ?? null) === (d.system ?? null));
    case 'value':
      return (d.values ?? []).every((pv) => 'path' in pv && valuesAt(value, pv.path).some((x) => String(x) === pv.value));
    case 'requiredBinding':
      return at(d.path).some((v) => codings(v).some((c: Json) => (d.values ?? []).some((b) => 'code' in b && b.code === c.code && b.system === c.system)));
    case 'type':
      // Type slices on a choice: the caller reached the value through its typed name; keep it.
      return true;
    default:
      return true;
  }
}

/** Elements found for a choice `value[x]` type slice: the typed property must exist. */
export function hasTypedChoice(resource: Json, path: string, typeCode: string): boolean {
  const parts = path.split('.');
  const last = parts.pop()!;
  const parents = parts.length ? valuesAt(resource, parts.join('.')) : [resource];
  const base = last.replace(/\[x\]$/, '');
  return parents.some((p) => p && typeof p === 'object' && p[`${base}${typeCode[0]!.toUpperCase()}${typeCode.slice(1)}`] !== undefined);
}

/** A search parameter value taken from an element, as the kits take it; undefined when it has none. */
export function searchValue(element: Json, type: string | undefined, param: string): string | undefined {
  if (element === undefined || element === null) return undefined;
  if (typeof element !== 'object') return String(element);
  if (element.reference !== undefined) {
    const ref = String(element.reference);
    return param === 'patient' || param === 'subject' ? ref.split('/').pop() : ref.replace(/^.*\/([A-Z][A-Za-z]+\/[^/]+)$/, '$1');
  }
  if (Array.isArray(element.coding)) return element.coding.find((c: Json) => c.code)?.code;
  if (element.code !== undefined && (type === 'Coding' || element.system !== undefined)) return String(element.code);
  if (type === 'Identifier' || (element.value !== undefined && element.system !== undefined)) return element.value;
  if (type === 'HumanName' || element.family !== undefined || element.given !== undefined) return element.family ?? element.given?.[0] ?? element.text;
  if (type === 'Address' || element.city !== undefined || element.line !== undefined) return element.city ?? element.line?.[0] ?? element.text;
  if (element.start !== undefined || element.end !== undefined) return element.start ?? element.end;
  if (element.value !== undefined) return String(element.value);
  return undefined;
}

/** `system|code` (or `system|value` for an identifier), for the kits' token variants. */
export function systemAndCode(element: Json): string | undefined {
  if (!element || typeof element !== 'object') return undefined;
  const coding = Array.isArray(element.coding) ? element.coding.find((c: Json) => c.code && c.system) : element.system && element.code ? element : undefined;
  if (coding) return `${coding.system}|${coding.code}`;
  if (element.system && element.value) return `${element.system}|${element.value}`;
  return undefined;
}
