import { stringify } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { indexKeys } from './keys.js';

/** One NDJSON line ready to append to a first build: what SqliteRepository.appendVersion takes. */
export interface BulkRow {
  type: string;
  id: string;
  /** The version's stored text: exactly `stringify(version)` (medplum's: empty values dropped, compact). */
  text: string;
  /** The version's index keys (keys.ts) as a JSON array. */
  keys: string;
}

/**
 * The version a first build stores for one NDJSON line, as SqliteRepository's preload would: the line's resource
 * with a new meta.versionId (`versionId`, a UUID) and meta.lastUpdated kept or set to `now` (ISO 8601), its stored
 * text and its index keys. Undefined for a line the ordinary path must take (it then records the same error or
 * does the same thing as before): not JSON, not an object with a string resourceType and a non-empty string id,
 * or a `meta` that is not an object. Does not check that the type is a FHIR resource type (the caller does).
 */
export function bulkRow(line: string, versionId: string, now: string): BulkRow | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const { resourceType: type, id, meta } = value;
  if (typeof type !== 'string' || typeof id !== 'string' || !id || (meta !== undefined && !isObject(meta))) return undefined;
  const { versionId: _replaced, ...kept } = meta ?? {};
  const version = { ...value, meta: { ...kept, versionId, lastUpdated: (kept.lastUpdated as string | undefined) || now } } as Resource;
  return { type, id, text: versionText(line, value, version), keys: JSON.stringify(indexKeys(version)) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Anything in a line that JSON.stringify(JSON.parse(line)) would not write the same way, or that medplum's stringify
 * would drop: white space beside a structural character (or any tab, CR, LF), `\u` and `\/` escapes, empty strings,
 * arrays and objects, null, and keys that JavaScript orders first (integer-like). Also true inside string values
 * (`"a, b"`): such a line only takes the slower, always right path.
 */
const NOT_CANONICAL = /""|null|\[\]|\{\}|\\u|\\\/|[\t\r\n]|[{[,:] | [}\],:]|"\d+":/;
/** A number value (after `:`, `[` or `,`, before `,`, `]` or `}`); inside strings too, harmlessly. */
const NUMBER = /[:,[](-?\d[\d.eE+-]*)(?=[,\]}])/g;

/**
 * `stringify(version)` where `version` is `resource` (parsed from `line`) with a new meta: for a line already in
 * the compact form JSON.stringify writes (fhirseed's own NDJSON), the line with its top-level meta replaced (or
 * added last), without serialising the resource again. A line that repeats a key is taken as canonical and stored
 * with both (JSON.parse keeps the last, as every reader of the stored text does); fhirseed never writes one.
 */
export function versionText(line: string, resource: Record<string, unknown>, version: Resource): string {
  if (!canonical(line)) return stringify(version);
  const meta = JSON.stringify(version.meta);
  if (resource.meta === undefined) return `${line.slice(0, -1)},"meta":${meta}}`;
  const needle = `"meta":${JSON.stringify(resource.meta)}`;
  const at = line.indexOf(needle);
  // Found twice (a contained resource with the same meta): which one is the resource's own is not known here.
  if (at < 0 || line.indexOf(needle, at + 1) >= 0) return stringify(version);
  return `${line.slice(0, at)}"meta":${meta}${line.slice(at + needle.length)}`;
}

/** Whether `line` (a JSON object's text) is what JSON.stringify would write for its parsed value (see NOT_CANONICAL). */
export function canonical(line: string): boolean {
  if (NOT_CANONICAL.test(line)) return false;
  for (const [, number] of line.matchAll(NUMBER)) if (String(Number(number)) !== number) return false;
  return true;
}
