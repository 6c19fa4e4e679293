import type { Resource } from '@medplum/fhirtypes';

/**
 * Index keys of the SQLite store. They narrow a search to candidates; medplum's matcher then decides
 * exactly, so a key set must never miss a resource that matches (a superset is fine, a subset is a bug).
 *
 * - `r` keys: every `reference` value and its `Type/id` tail (absolute and versioned references too), and
 *   every other string that is a bare `Type/id` (canonicals). medplum matches a reference parameter by
 *   exact string equality with one of these, so `patient=Patient/1` can only match a resource holding `Patient/1`.
 * - `t` keys: every other leaf string and boolean of at most {@link MAX_TERM} characters, lower-cased, except
 *   values that look like dates or numbers, or URIs (`system`, `url`, `profile`: anything with a colon), and the
 *   resource's own id (`_id` is looked up directly). medplum matches a token by case-insensitive equality of a code,
 *   identifier value, display or text, all of which are leaves; a query value that is too long, or looks like
 *   something left out, is not narrowed (see {@link tokenKey}).
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
  return value.length <= MAX_TERM && !value.includes(':') && !NOT_TERM.test(value);
}

/** The index keys of one resource: `Type|r|Patient/1`, `Type|t|laboratory` (deduplicated). */
export function indexKeys(resource: Resource): string[] {
  const type = resource.resourceType;
  const keys = new Set<string>();
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (key === 'reference') {
        keys.add(`${type}|r|${value}`);
        const tail = TAIL.exec(value)?.[1];
        if (tail) keys.add(`${type}|r|${tail}`);
        return;
      }
      if (TYPE_ID.test(value)) keys.add(`${type}|r|${value}`);
      if (termable(value)) keys.add(`${type}|t|${value.toLowerCase()}`);
    } else if (typeof value === 'boolean') {
      keys.add(`${type}|t|${String(value)}`);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, key);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (!SKIPPED.has(k) && !(value === resource && k === 'id')) visit(v, k);
    }
  };
  visit(resource, '');
  return [...keys];
}

/**
 * The reference key a reference search value must have, for a bare `Type/id` (what the sandbox's bare ids are
 * qualified to); undefined for anything else (absolute URLs, canonicals), which is then not narrowed.
 */
export function referenceKey(type: string, value: string): string | undefined {
  return TYPE_ID.test(value) ? `${type}|r|${value}` : undefined;
}

/**
 * The term key a token search value (`laboratory`, `http://loinc.org|1234-5`, `|x`) must have, or undefined
 * when the value cannot be narrowed (a system alone, or a value that is not kept as a term).
 */
export function tokenKey(type: string, value: string): string | undefined {
  const code = value.includes('|') ? value.slice(value.indexOf('|') + 1) : value;
  if (!code || !termable(code)) return undefined;
  return `${type}|t|${code.toLowerCase()}`;
}
