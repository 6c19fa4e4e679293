import type { Json } from './slicing.js';

/** An element id's last segment split at its slice name: `supportingInfo:dayssupply` → [`supportingInfo`, `dayssupply`]. */
export function splitSlice(seg: string): [string, string | undefined] {
  const i = seg.indexOf(':');
  return i < 0 ? [seg, undefined] : [seg.slice(0, i), seg.slice(i + 1)];
}

/** Element ids split on dots outside slice names (slice names in these IGs hold no dots). */
export function parentId(id: string): string {
  return id.slice(0, id.lastIndexOf('.'));
}

/** An element id's last segment, slice name included: `ExplanationOfBenefit.supportingInfo:dayssupply` → `supportingInfo:dayssupply`. */
export function lastSegment(id: string): string {
  return id.slice(id.lastIndexOf('.') + 1);
}

/** A canonical URL's last path segment: `http://hl7.org/fhir/StructureDefinition/Patient` → `Patient`. */
export function lastUrlSegment(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/** The codings of a CodeableConcept (its `coding`) or of a Coding itself; none for anything else. */
export function codings(v: Json): { system?: string; code?: string }[] {
  if (v === null || typeof v !== 'object') return [];
  if (Array.isArray(v.coding)) return v.coding;
  if ('code' in v || 'system' in v) return [v];
  return [];
}

/** The FHIR type a JSON value looks like (resourceType, then Reference/CodeableConcept/Quantity/Period by their keys, then JSON primitives). */
export function jsonType(v: Json): string {
  if (v && typeof v === 'object') {
    if (typeof v.resourceType === 'string') return v.resourceType;
    if ('reference' in v || 'identifier' in v) return 'Reference';
    if ('coding' in v) return 'CodeableConcept';
    if ('value' in v && ('unit' in v || 'code' in v)) return 'Quantity';
    if ('start' in v || 'end' in v) return 'Period';
  }
  return typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : 'unknown';
}
