import type { Bundle, Resource } from '@medplum/fhirtypes';
import { historyBundle, missingResource } from './history.js';
import { pageLinks, pageNumber, pageUrl, repeatedParameter } from './paging.js';
import { issueOutcome, type Refusal } from './request-checks.js';
import { atOrAfter, plusMeant, readInstant } from './instant.js';
import { MAX_PAGE_SIZE, type Query } from './search-extras.js';

/** The parameters of an instance history this server acts on, and those it accepts and ignores (_format, _pretty). */
const HISTORY_PARAMETERS = new Set(['_count', '_offset', '_since', '_format', '_pretty']);
/** The parameters named in the 400 for one it does not take. */
const TAKEN = [...HISTORY_PARAMETERS].join(', ').replace(/, ([^,]+)$/, ' and $1');
/** R4 http.html#history parameters it does not serve. */
const UNSERVED = new Map([
  ['_at', '_at (the versions current at some time in a period) is not supported by this server for history; use _since'],
  ['_list', '_list is not supported by this server'],
]);

/**
 * The page of an instance history (`GET [type]/[id]/_history`, R4 http.html#history) that `query` asks for: the
 * resource's versions newest first as historyBundle makes them (each entry's fullUrl `base/Type/id`), `_since` keeping
 * those whose `meta.lastUpdated` is at or after that instant, compared at full precision (instant.ts; an unencoded
 * `+` read as meant, as $export reads it; a deletion kept without a time, by a store made before deletions were kept
 * as versions, is left out), `total` the number kept. With `_count` (at most MAX_PAGE_SIZE) and
 * `_offset` (entries to skip, as a search's next link sets it) one page of them and `self`, `first`, `previous`, `next`
 * and `last` links as a searchset has (paging.ts); without `_count`, every version kept and no links (as before paging).
 * `versions`: oldest first, tombstones for deletions (AtomicMemoryRepository.versions). Returns the Bundle, or the
 * 400 naming the parameter for one not of its form (`_since` not a real instant, `_count`, `_offset`), one given more
 * than once, one this server does not serve (`_at`, `_list`) or one unknown; the 404 (OperationOutcomeError from history.ts missingResource, thrown) for a
 * resource that never existed.
 */
export function instanceHistory(resourceType: string, id: string, versions: Resource[], query: Query, base: string): Bundle | Refusal {
  for (const key of Object.keys(query)) {
    const unserved = UNSERVED.get(key);
    if (unserved) return { status: 400, outcome: issueOutcome('not-supported', unserved) };
    if (!HISTORY_PARAMETERS.has(key)) {
      return { status: 400, outcome: issueOutcome('invalid', `unknown parameter '${key}' for an instance history (GET ${resourceType}/${id}/_history takes ${TAKEN})`) };
    }
    const repeated = repeatedParameter(query, key);
    if (repeated) return { status: 400, outcome: issueOutcome('invalid', repeated) };
  }
  const since = query._since === undefined ? undefined : plusMeant(String(query._since));
  const from = since === undefined ? undefined : readInstant(since);
  if (since !== undefined && !from) {
    return { status: 400, outcome: issueOutcome('invalid', `_since=${since}: expected an instant, a real date and time to the second with a zone (2024-05-17T10:00:00Z)`) };
  }
  const count = pageNumber(query, '_count');
  const offset = pageNumber(query, '_offset');
  if (typeof count === 'string') return { status: 400, outcome: issueOutcome('invalid', count) };
  if (typeof offset === 'string') return { status: 400, outcome: issueOutcome('invalid', offset) };
  if (!versions.length) throw missingResource(resourceType, id, versions);
  const full = historyBundle(resourceType, id, versions, base);
  const kept = (full.entry ?? []).filter((entry) => {
    if (!from) return true;
    const at = entry.response?.lastModified === undefined ? undefined : readInstant(entry.response.lastModified);
    return at !== undefined && atOrAfter(at, from);
  });
  if (count === undefined && offset === undefined) {
    const { entry: _every, ...rest } = full;
    return { ...rest, total: kept.length, ...(kept.length ? { entry: kept } : {}) };
  }
  const size = Math.min(count ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const start = offset ?? 0;
  const page = kept.slice(start, start + size);
  const path = `${resourceType}/${id}/_history`;
  const link = pageLinks(start, size, kept.length).map(({ relation, offset: at }) => ({ relation, url: pageUrl(base, path, size, query, at) }));
  return { resourceType: 'Bundle', type: 'history', total: kept.length, link, ...(page.length ? { entry: page } : {}) };
}
