import type { Query } from './search-extras.js';

/**
 * The paging links of a searchset page (R4 http.html#paging: `self`, `first`, `previous`, `next`, `last`) as offsets:
 * `offset` and `count` the page's `_offset` and `_count`, `total` the matches (undefined when a `_total=none` search
 * stopped early: then `next` only when `more` matches were found, and no `last`). `first` is offset 0 and `last` the
 * last page that holds a match (offset 0 when none); `previous` is never past that last page, so a page past the end
 * points back at it (none when nothing matches). `_count=0` asks for the total only (R4 search §3.1.1.5.4): `self`
 * alone (a `next` equal to `self` would keep a client that follows `next` looping for ever).
 */
export function pageLinks(offset: number, count: number, total: number | undefined, more = total !== undefined && offset + count < total): { relation: string; offset: number }[] {
  const links = [{ relation: 'self', offset }];
  if (count <= 0) return links;
  if (total === undefined) {
    // `_total=none`: the search stopped at its page and one match more (`more`), so no last page is known.
    links.push({ relation: 'first', offset: 0 });
    if (offset > 0) links.push({ relation: 'previous', offset: Math.max(0, offset - count) });
    if (more) links.push({ relation: 'next', offset: offset + count });
    return links;
  }
  const lastOffset = total > 0 ? Math.floor((total - 1) / count) * count : 0;
  links.push({ relation: 'first', offset: 0 });
  if (offset > 0 && total > 0) links.push({ relation: 'previous', offset: Math.max(0, Math.min(offset - count, lastOffset)) });
  if (offset + count < total) links.push({ relation: 'next', offset: offset + count });
  links.push({ relation: 'last', offset: lastOffset });
  return links;
}

/**
 * The URL of one page of a search: `base/path?` the query as asked, `_count` and `_offset` set to this page's.
 */
export function pageUrl(base: string, path: string, count: number, query: Query, offset: number): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k === '_offset' || k === '_count') continue;
    for (const one of Array.isArray(v) ? v : [v]) search.append(k, one);
  }
  search.set('_count', String(count));
  search.set('_offset', String(offset));
  return `${base}/${path}?${search.toString()}`;
}

/**
 * The 400 text for a parameter that takes one value given more than once (`_count=10&_count=20`: which one was meant
 * cannot be known), naming it and its values; undefined when given once or not at all. Used by search (`_count`,
 * `_offset`) and instance history (each of its parameters).
 */
export function repeatedParameter(query: Query, name: string): string | undefined {
  const value = query[name];
  if (!Array.isArray(value) || value.length < 2) return undefined;
  return `${name} given ${value.length} times (${value.map((v) => `${name}=${v}`).join('&')}): give it once`;
}

/**
 * The whole number ≥ 0 a page parameter (`_count`, `_offset`) gives; undefined when absent; else the 400 text: given
 * more than once (repeatedParameter), or not a whole number ≥ 0 (`_count=x: expected a whole number ≥ 0`). Used by
 * search and instance history.
 */
export function pageNumber(query: Query, name: string): number | string | undefined {
  const repeated = repeatedParameter(query, name);
  if (repeated) return repeated;
  const value = query[name];
  if (value === undefined) return undefined;
  const text = String(Array.isArray(value) ? value[0] : value);
  const n = Number(text);
  return text.trim() !== '' && Number.isInteger(n) && n >= 0 ? n : `${name}=${text}: expected a whole number ≥ 0`;
}
