import { getDataType, getResourceTypes, isResourceType } from '@medplum/core';
import type { Coding, Resource } from '@medplum/fhirtypes';
import { indexR4Definitions } from './router.js';

/**
 * A checked `_elements` of a Bulk Data kick-off: the root elements asked for per resource type (`Patient.name`)
 * and for every type (`name`), as element names (`value` for `value[x]`).
 */
export interface ElementSelection {
  byType: Map<string, Set<string>>;
  anyType: Set<string>;
}

/** The tag the Bulk Data spec (and FHIR's `_elements`) asks for on a resource cut to some elements. */
export const SUBSETTED: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

/** Kept in every subset: the resource's identity, its meta (which carries the tag) and its type. */
const ALWAYS = new Set(['resourceType', 'id', 'meta']);

/**
 * Adds one `_elements` item (`Type.element` or `element`, only root elements) to `selection`. Returns the reason
 * it is refused (unknown type, not a root element of the type, or of no R4 resource type), else undefined.
 */
export function addElement(selection: ElementSelection, item: string): string | undefined {
  indexR4Definitions();
  const dot = item.indexOf('.');
  if (dot >= 0) {
    const type = item.slice(0, dot);
    const name = item.slice(dot + 1);
    if (/^[a-z]/.test(type)) return `${item}: only root elements are taken (element or Type.element, e.g. Patient.name)`;
    if (!isResourceType(type)) return `${type} is not a FHIR R4 resource type`;
    if (!rootElements(type).has(name)) return `${name} is not a root element of ${type} (only root elements, e.g. ${type}.id)`;
    selection.byType.set(type, (selection.byType.get(type) ?? new Set()).add(name));
    return undefined;
  }
  if (!getResourceTypes().some((type) => rootElements(type).has(item))) return `${item} is not a root element of any FHIR R4 resource type`;
  selection.anyType.add(item);
  return undefined;
}

/**
 * The resource cut to the selection's elements for its type (those named with its type and those named without
 * one) plus its mandatory ones (min ≥ 1 in R4) and `id` and `meta`, tagged SUBSETTED; the resource itself, untouched,
 * when the selection names nothing for its type.
 */
export function subset(resource: Resource, selection: ElementSelection): Resource {
  const named = selection.byType.get(resource.resourceType);
  if (!named && !selection.anyType.size) return resource;
  const keep = new Set([...ALWAYS, ...mandatoryElements(resource.resourceType), ...(named ?? []), ...selection.anyType]);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (keep.has(elementOf(key, resource.resourceType))) out[key] = value;
  }
  const meta = resource.meta ?? {};
  const tags = meta.tag ?? [];
  const tagged = tags.some((t) => t.system === SUBSETTED.system && t.code === SUBSETTED.code) ? tags : [...tags, SUBSETTED];
  out.meta = { ...meta, tag: tagged };
  return out as unknown as Resource;
}

const rootCache = new Map<string, { roots: Set<string>; mandatory: string[]; choices: string[] }>();

function schemaOf(type: string) {
  let cached = rootCache.get(type);
  if (!cached) {
    indexR4Definitions();
    const elements = Object.entries(getDataType(type).elements).filter(([path]) => !path.includes('.'));
    const name = (path: string) => path.replace(/\[x\]$/, '');
    cached = {
      roots: new Set(elements.map(([path]) => name(path))),
      mandatory: elements.filter(([, e]) => e.min > 0).map(([path]) => name(path)),
      choices: elements.filter(([path]) => path.endsWith('[x]')).map(([path]) => name(path)),
    };
    rootCache.set(type, cached);
  }
  return cached;
}

function rootElements(type: string): Set<string> {
  return schemaOf(type).roots;
}

function mandatoryElements(type: string): string[] {
  return schemaOf(type).mandatory;
}

/** The element a JSON key holds: `valueQuantity` → `value` (a choice), `_status` → `status` (its extensions). */
function elementOf(key: string, type: string): string {
  const bare = key.startsWith('_') ? key.slice(1) : key;
  if (!isResourceType(type)) return bare;
  const choice = schemaOf(type).choices.find((stem) => bare.startsWith(stem) && /^[A-Z]/.test(bare.slice(stem.length)));
  return choice ?? bare;
}
