import { stringify } from '@medplum/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { dateRows, type DatePlan, type DateRow } from './dates.js';
import { indexKeys } from './keys.js';

/** One NDJSON line ready to append to a first build: what SqliteRepository.appendVersion takes. */
export interface BulkRow {
  type: string;
  id: string;
  /** The version's stored text: exactly `stringify(version)` (medplum's: empty values dropped, compact). */
  text: string;
  /** The version's index keys (keys.ts) as a JSON array. */
  keys: string;
  /** The version's date and reference rows under the store's plan (dates.ts dateRows; empty when none). */
  rows: DateRow[];
}

/**
 * The version a first build stores for one NDJSON line, as SqliteRepository's preload would: the line's resource
 * with a new meta.versionId (`versionId`, a UUID) and meta.lastUpdated kept or set to `now` (ISO 8601), its stored
 * text, its index keys and its date and reference rows under the store's date plan (`plan`; default none). Undefined for a line the ordinary path must take (it then records the same error or
 * does the same thing as before): not JSON, not an object with a string resourceType and a non-empty string id,
 * or a `meta` that is not an object. Does not check that the type is a FHIR resource type (the caller does).
 */
export function bulkRow(line: string, versionId: string, now: string, plan: DatePlan = {}): BulkRow | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return resourceRow(value, versionId, now, plan, line);
}

/**
 * As bulkRow for a resource already parsed (a bundle entry's: `line` undefined, the text then always medplum's
 * stringify of the version); `line`, when given, is the text `value` was parsed from.
 */
export function resourceRow(value: unknown, versionId: string, now: string, plan: DatePlan = {}, line?: string): BulkRow | undefined {
  if (!isObject(value)) return undefined;
  const { resourceType: type, id, meta } = value;
  if (typeof type !== 'string' || typeof id !== 'string' || !id || (meta !== undefined && !isObject(meta))) return undefined;
  const { versionId: _replaced, ...kept } = meta ?? {};
  const version = { ...value, meta: { ...kept, versionId, lastUpdated: (kept.lastUpdated as string | undefined) || now } } as Resource;
  return {
    type,
    id,
    text: line === undefined ? stringify(version) : versionText(line, value, version),
    keys: JSON.stringify(indexKeys(version)),
    rows: dateRows(version, plan),
  };
}

/**
 * A resource's rows (dates.ts dateRows) as it will be stored as `seq`, in the form SqliteRepository.appendRows takes
 * them: `dates` its date rows (`[seq,"p","low","high"]`, comma-separated) and `refs` its reference rows
 * (`[seq,"p",n,"ref"]`), each '' when none: JSON array elements without the brackets, so that a transaction's rows
 * are joined into one array and stored with one statement per table (a statement per resource cost ~8 µs each).
 */
export function seqRows(rows: readonly DateRow[], seq: number): { dates: string; refs: string } {
  if (!rows.length) return { dates: '', refs: '' };
  const dates: unknown[] = [];
  const refs: unknown[] = [];
  for (const [p, a, b] of rows) {
    if (typeof b === 'string') dates.push([seq, p, a, b]);
    else refs.push([seq, p, b, a]);
  }
  return { dates: JSON.stringify(dates).slice(1, -1), refs: JSON.stringify(refs).slice(1, -1) };
}

/**
 * Whether a Bundle is fhirseed's own kind of transaction: only PUT Type/id entries of resources with that id, and
 * no reference to a `urn:` placeholder to resolve. Such a bundle is stored entry by entry, all or nothing.
 */
export function plainPuts(bundle: Bundle): boolean {
  const entries = bundle.entry ?? [];
  const puts = entries.every((e) => e.request?.method === 'PUT' && e.resource?.resourceType && e.request.url === `${e.resource.resourceType}/${e.resource.id}`);
  return puts && !JSON.stringify(entries.map((e) => e.resource)).includes('"reference":"urn:');
}

/**
 * Where the first build's key ranges begin (after the first, which holds every key below KEY_PARTS[1]): each worker
 * stages a range's keys in a file of its own, so that the main thread merges range P into `idx` while the workers
 * sort range P + 1. A range is a run of resource-type codes (keys.ts: every key of a resource begins with its type's
 * code, so a resource's keys are all in one range): Observation (`a`), ExplanationOfBenefit (`b`), Condition (`c`),
 * then the rest in two. They change only how the work overlaps, never what is stored.
 */
export const KEY_PARTS: readonly string[] = ['', 'a', 'b', 'c', 'e', 'h'];

/** The key range (an index of KEY_PARTS) holding the keys that begin with `first` (one character). */
export function keyPart(first: string): number {
  let p = KEY_PARTS.length - 1;
  while (first < KEY_PARTS[p]!) p--;
  return p;
}

/** A chunk's lines as readline splits them (LF, CRLF and a lone CR), without the empty string after the last break. */
export function splitLines(chunk: string): string[] {
  const lines = chunk.split(/\r?\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Anything in a line that JSON.stringify(JSON.parse(line)) would not write the same way, or that medplum's stringify
 * would drop, but white space between tokens (COMPACT's): any tab, CR or LF, `\u` and `\/` escapes, empty strings,
 * arrays and objects, null, and keys that JavaScript orders first (integer-like). Also true inside string values
 * (`"null or void"`): such a line only takes the slower, always right path.
 */
const NOT_CANONICAL = /""|null|\[\]|\{\}|\\u|\\\/|[\t\r\n]|"\d+":/;
/**
 * The tokens of a JSON text up to its first white space outside strings (a run of anything else but `"`, or a whole
 * string with its escapes): the whole of a line JSON.stringify wrote. Nothing follows the repetition, so the first,
 * greedy match is the answer (no backtracking); spaces inside strings (`"A, B"`: in 99 % of fhirseed's own
 * ExplanationOfBenefit lines, half its Condition lines) do not stop it, where they sent the line to JSON.stringify.
 */
const COMPACT = /(?:[^"\t\n\r ]+|"(?:[^"\\]+|\\.)*")*/y;
/** A number value (after `:`, `[` or `,`, before `,`, `]` or `}`); inside strings too, harmlessly. */
const NUMBER = /[:,[](-?\d[\d.eE+-]*)(?=[,\]}])/g;

/**
 * `stringify(version)` where `version` is `resource` (parsed from `line`) with a new meta: for a line already in
 * the compact form JSON.stringify writes (fhirseed's own NDJSON), the line with its top-level meta replaced (or
 * added last), without serialising the resource again. A line that repeats a key is taken as canonical and stored
 * with both (JSON.parse keeps the last, as every reader of the stored text does); fhirseed never writes one.
 */
export function versionText(line: string, resource: Record<string, unknown>, version: Resource): string {
  if (!canonical(line)) return plainText(line, version);
  const meta = JSON.stringify(version.meta);
  if (resource.meta === undefined) return `${line.slice(0, -1)},"meta":${meta}}`;
  const needle = `"meta":${JSON.stringify(resource.meta)}`;
  const at = line.indexOf(needle);
  // Found twice (a contained resource with the same meta): which one is the resource's own is not known here.
  if (at < 0 || line.indexOf(needle, at + 1) >= 0) return plainText(line, version);
  return `${line.slice(0, at)}"meta":${meta}${line.slice(at + needle.length)}`;
}

/** Text that medplum's stringify would drop: an empty string, null, an empty array or object (in a string value too). */
const EMPTY = /""|null|\[\]|\{\}/;

/**
 * `stringify(version)` for a version parsed from `line`: JSON.stringify's own text when the line holds nothing that
 * medplum's stringify drops (its walk over the resource then returns the resource itself), else medplum's.
 */
function plainText(line: string, version: Resource): string {
  return EMPTY.test(line) ? stringify(version) : JSON.stringify(version);
}

/** Whether `line` (a JSON object's text) is what JSON.stringify would write for its parsed value (see NOT_CANONICAL). */
export function canonical(line: string): boolean {
  if (NOT_CANONICAL.test(line)) return false;
  COMPACT.lastIndex = 0;
  try {
    if (!COMPACT.test(line) || COMPACT.lastIndex !== line.length) return false;
  } catch (error) {
    // V8's regexp stack ends at some million tokens in a line (an 18 MB text of escapes): JSON.stringify's way then.
    if (error instanceof RangeError) return false;
    throw error;
  }
  for (const [, number] of line.matchAll(NUMBER)) if (String(Number(number)) !== number) return false;
  return true;
}
