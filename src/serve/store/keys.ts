import type { Resource } from '@medplum/fhirtypes';

/**
 * Index keys of the SQLite store. They narrow a search to candidates; medplum's matcher then decides
 * exactly, so a key set must never miss a resource that matches (a superset is fine, a subset is a bug).
 *
 * - `r` keys: every `reference` value and its `Type/id` tail (absolute and versioned references too), and
 *   every other string that is a bare `Type/id` (canonicals). medplum matches a reference parameter by
 *   exact string equality with one of these, so `patient=Patient/1` can only match a resource holding `Patient/1`.
 * - `t` keys: every other leaf string, number and boolean of at most {@link MAX_TERM} characters, lower-cased.
 *   medplum matches a token by case-insensitive equality of a code, identifier value, display or text, all
 *   of which are leaves; a query value longer than MAX_TERM is not narrowed.
 */
export const MAX_TERM = 128;

/** Leaves that no token or reference parameter reads: narrative XHTML, base64 attachment data. */
const SKIPPED = new Set(['div', 'data']);
const TYPE_ID = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;
const TAIL = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/|]+)?(?:\|.*)?$/;

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
      if (value.length <= MAX_TERM) keys.add(`${type}|t|${value.toLowerCase()}`);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      keys.add(`${type}|t|${String(value)}`);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, key);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (!SKIPPED.has(k)) visit(v, k);
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
 * when the value cannot be narrowed (a system alone, or longer than MAX_TERM).
 */
export function tokenKey(type: string, value: string): string | undefined {
  const code = value.includes('|') ? value.slice(value.indexOf('|') + 1) : value;
  if (!code || code.length > MAX_TERM) return undefined;
  return `${type}|t|${code.toLowerCase()}`;
}
