import { getAllDataTypes, type InternalTypeSchema } from '@medplum/core';
import { r4ResourceElements } from '../r4-resources.js';

/**
 * Which FHIRPath expressions of token search parameters may read a leaf that keys.ts keeps no term key for: a
 * `display` or `text` string, or the `code`, `unit`, `system` or `comparator` of a Quantity (see keys.ts
 * {@link unkeyedLeaf}). A token match needs the value at a Coding's or Quantity's `code`, an Identifier's or
 * ContactPoint's `value`, or a primitive the expression ends at (token-case.ts, the sandbox's exact pass after
 * medplum's matcher, which alone also compares displays and texts: FHIR R4 §3.1.1.4.8, a token is a code). So such
 * leaves are read only by an expression that names `display` or `text` (without going further into it), or that can
 * reach a Quantity: it names a Quantity type (`ofType(Quantity)`), or an element whose type may be one (among the
 * elements of `type` and of every data type: `valueQuantity`, `quantity`, `low`, a choice `value` not cast away by
 * `as CodeableConcept` nor left for an element no Quantity has, `value.coding`; of every resource type when it names
 * an element holding resources, `contained`). String
 * literals (`where(url = '…')`) are not names.
 */
export function readsUnkeyedLeaf(type: string, expression: string): boolean {
  const text = expression.replace(/'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
  const names = quantityNames(type, text);
  for (const match of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const name = match[0];
    const after = text.slice(match.index + name.length);
    if (name === 'display' || name === 'text') {
      // `text.status` (a Narrative's) goes on into an object: not the string leaf.
      if (!/^\s*\.\s*[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_]|\s*\()/.test(after)) return true;
      continue;
    }
    if (QUANTITY_TYPES.has(name)) return true;
    if (!names.has(name)) continue;
    const cast = /^\s*(?:\)\s*)?(?:as\s+|\.\s*as\s*\(\s*|\.\s*ofType\s*\(\s*)([A-Za-z]+)/.exec(after)?.[1];
    if (cast && !QUANTITY_TYPES.has(cast)) continue;
    // `value.coding.code` goes on into an element no Quantity has: not a Quantity's leaf.
    const next = /^\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_]|\s*\()/.exec(after)?.[1];
    if (!next || QUANTITY_ELEMENTS.has(next)) return true;
  }
  return false;
}

/** Quantity's elements (FHIR R4 §2.24.0.10). */
const QUANTITY_ELEMENTS = new Set(['id', 'extension', 'value', 'comparator', 'unit', 'system', 'code']);
/** R4's Quantity and the types constrained from it or built like it (FHIR R4 §2.24.0.10-15). */
const QUANTITY_TYPES = new Set(['Quantity', 'SimpleQuantity', 'MoneyQuantity', 'Age', 'Count', 'Distance', 'Duration']);

interface QuantityNames {
  /** Per resource type, its own elements' names. */
  byType: Map<string, Set<string>>;
  /** The data types' (R4's, and the IGs' profiles of them, with their inner elements). */
  dataTypes: Set<string>;
  /** Every resource type's and data type's. */
  all: Set<string>;
  /** The names of elements that hold a resource (`contained`, `resource`): an expression through them reaches any type. */
  resources: Set<string>;
}

let found: QuantityNames | undefined;

/**
 * The element names (last path segment) that may hold a Quantity for an expression on `type` (see readsUnkeyedLeaf):
 * plain (`quantity`), a choice's own name (`value`) and its typed names (`valueQuantity`, `onsetAge`). Built once.
 */
function quantityNames(type: string, expression: string): Set<string> {
  found ??= buildNames();
  for (const name of expression.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) if (found.resources.has(name)) return found.all;
  let names = found.byType.get(`+${type}`);
  if (!names) {
    names = new Set([...found.dataTypes, ...(found.byType.get(type) ?? found.all)]);
    found.byType.set(`+${type}`, names);
  }
  return names;
}

function buildNames(): QuantityNames {
  const result: QuantityNames = { byType: new Map(), dataTypes: new Set(), all: new Set(), resources: new Set() };
  const add = (into: Set<string>, path: string, types: string[]) => {
    const last = path.slice(path.lastIndexOf('.') + 1);
    if (types.includes('Resource')) result.resources.add(last.replace('[x]', ''));
    const quantities = types.filter((t) => QUANTITY_TYPES.has(t));
    if (!quantities.length) return;
    const names = last.endsWith('[x]') ? [last.slice(0, -3), ...quantities.map((t) => `${last.slice(0, -3)}${t}`)] : [last];
    for (const name of names) {
      into.add(name);
      result.all.add(name);
    }
  };
  for (const [type, elements] of r4ResourceElements()) {
    const own = new Set<string>();
    for (const { path, types } of elements) add(own, path, types);
    result.byType.set(type, own);
  }
  const walk = (schema: InternalTypeSchema) => {
    for (const [path, element] of Object.entries(schema.elements)) add(result.dataTypes, path, element.type.map((t) => t.code));
    for (const inner of schema.innerTypes) walk(inner);
  };
  for (const schema of Object.values(getAllDataTypes())) if (schema.kind === 'complex-type') walk(schema);
  return result;
}
