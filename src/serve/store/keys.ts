import type { Resource } from '@medplum/fhirtypes';

/**
 * Index keys of the SQLite store. Each key names a value and the element path where the resource holds it, value
 * first, so that a key decides a search parameter exactly (its path is the parameter's, see decide.ts) while the
 * keys of one value, whatever their paths, are one prefix range: the superset lookup (`_revinclude`, `$everything`, a
 * parameter whose expression decide.ts cannot read), which medplum's matcher then decides.
 *
 * - `Type|r|<value>|<path>`: every `reference` value at the path of its Reference (`patient`, `item.encounter`), and
 *   every other string that is a bare `Type/id` (canonicals) at its own path. medplum matches a reference parameter
 *   by exact string equality with one of these. The `Type/id` tail of an absolute or versioned reference is keyed
 *   with an empty path (`Type|r|Patient/1|`): found by the prefix range, never by an exact key.
 * - `Type|t|<lower-cased value>|<path>`, followed by `|<value>` when the value is not all lower case: every other
 *   leaf string and boolean of at most {@link MAX_TERM} characters, except values that look like dates or numbers,
 *   URIs (anything with a colon) or hold a `|`, and the resource's own id (`_id` is looked up directly). medplum
 *   matches a token by case-insensitive equality (the prefix range `Type|t|<lower>|`), and the sandbox then asks
 *   for the exact code (token-case.ts; the exact key). A query value that is too long, or looks like something
 *   left out, is not narrowed (see {@link tokenPrefix}).
 * Paths are element names joined by dots, arrays not counted (`category.coding.code`); narrative XHTML and
 * attachment data are skipped.
 */
export const MAX_TERM = 128;

/** Leaves that no token or reference parameter reads: narrative XHTML, base64 attachment data. */
const SKIPPED = new Set(['div', 'data']);
const TYPE_ID = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;
/** Dates, times and numbers: many per claim, never a token's value. */
const NOT_TERM = /^(\d{4}-\d{2}|[-+]?\d+(\.\d+)?$)/;
const TAIL = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/|]+)?(?:\|.*)?$/;

/** Whether a leaf string is kept as a term key (and so whether a token query value can be narrowed by one). */
function termable(value: string): boolean {
  return value.length <= MAX_TERM && !value.includes(':') && !value.includes('|') && !NOT_TERM.test(value);
}

/** A term's key at `path`: the lower-cased value, the path, and the value itself when lower-casing changed it. */
function termKey(type: string, value: string, path: string): string {
  const lower = value.toLowerCase();
  return lower === value ? `${type}|t|${lower}|${path}` : `${type}|t|${lower}|${path}|${value}`;
}

/** The index keys of one resource: `Type|r|Patient/1|subject`, `Type|t|laboratory|category.coding.code` (deduplicated). */
export function indexKeys(resource: Resource): string[] {
  const type = resource.resourceType;
  const keys = new Set<string>();
  const visit = (value: unknown, key: string, path: string): void => {
    if (typeof value === 'string') {
      if (key === 'reference') {
        const at = path.length > key.length ? path.slice(0, path.length - key.length - 1) : '';
        keys.add(`${type}|r|${value}|${at}`);
        const tail = TAIL.exec(value)?.[1];
        if (tail && tail !== value) keys.add(`${type}|r|${tail}|`);
        return;
      }
      if (TYPE_ID.test(value)) keys.add(`${type}|r|${value}|${path}`);
      if (termable(value)) keys.add(termKey(type, value, path));
    } else if (typeof value === 'boolean') {
      keys.add(`${type}|t|${String(value)}|${path}`);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, key, path);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (!SKIPPED.has(k) && !(value === resource && k === 'id')) visit(v, k, path ? `${path}.${k}` : k);
      }
    }
  };
  visit(resource, '', '');
  return [...keys];
}

/**
 * The key prefix every key of a bare `Type/id` reference value has (`Observation|r|Patient/1|`, whatever the path),
 * for a reference search value the sandbox qualified to `Type/id`; undefined for anything else (absolute URLs,
 * canonicals), which is then not narrowed.
 */
export function referencePrefix(type: string, value: string): string | undefined {
  return TYPE_ID.test(value) ? `${type}|r|${value}|` : undefined;
}

/** The exact key of a bare `Type/id` reference value held at `path` (see decide.ts), or undefined as for referencePrefix. */
export function referenceKey(type: string, value: string, path: string): string | undefined {
  return TYPE_ID.test(value) ? `${type}|r|${value}|${path}` : undefined;
}

/** The code of a token search value: `laboratory`, the part after the first `|` of `system|code` and `|code`. */
function codeOf(value: string): string {
  return value.includes('|') ? value.slice(value.indexOf('|') + 1) : value;
}

/**
 * The key prefix every key of a token search value's code has, whatever its case and path (`laboratory`,
 * `http://loinc.org|1234-5`, `|x`), or undefined when the value cannot be narrowed (a system alone, or a code that
 * is not kept as a term).
 */
export function tokenPrefix(type: string, value: string): string | undefined {
  const code = codeOf(value);
  if (!code || !termable(code)) return undefined;
  return `${type}|t|${code.toLowerCase()}|`;
}

/** The exact key of a token search value's code (same case) held at `path`, or undefined as for tokenPrefix. */
export function tokenKey(type: string, value: string, path: string): string | undefined {
  const code = codeOf(value);
  if (!code || !termable(code)) return undefined;
  return termKey(type, code, path);
}
