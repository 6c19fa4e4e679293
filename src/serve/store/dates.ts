import { toPeriod } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';

/**
 * The date rows of the SQLite store (table `dates`, open.ts): per stored resource (`seq`), per date search parameter
 * the plan covers (`p`, its code), one row per value: `low` and `high`, the value's range as medplum's matcher sees it
 * (`toPeriod`: ISO instants in UTC, a date's or month's whole span, a Period's start and end) with `0000` and `9999`
 * for an open end. A search's date filter is then decided in SQL by comparing these strings exactly as medplum's
 * matchesDateValue does (date-plan.ts dateCondition), so the store answers as the memory repository does.
 *
 * This module is imported by the first build's worker threads: no database, no schema look-ups.
 */

/**
 * Which date parameters have rows, by resource type and code: the parameter's FHIRPath expression (decide narrows a
 * parameter only while the served one has the same), and its branches, each a list of steps from the resource:
 * `name` reads that element, `name|DateTime|Period` a choice element's named types (`effectiveDateTime`, …). Made at
 * the store's first build (date-plan.ts) and kept in its `meta` ('dates'): plain JSON, handed to workers as it is.
 */
export type DatePlan = Record<string, Record<string, { expression: string; branches: string[][]; reference?: true }>>;

/**
 * One row without its seq: a date parameter's code, low, high; or, for a parameter marked `reference` (`_include`'s,
 * table `refs`), its code, a `reference` string as written, and its place among the parameter's distinct references
 * (a number: branch order, then the document's).
 */
export type DateRow = [string, string, string] | [string, string, number];

/** Open ends of a range, as medplum's matcher fills them in (`resourceValue.start ?? '0000'`). */
export const OPEN_LOW = '0000';
export const OPEN_HIGH = '9999';

/**
 * The rows of one resource under `plan` (deduplicated): for a reference parameter, the `reference` of each Reference at
 * its branches' paths, in order (search-extras.ts referencesOf's order). For a date parameter, each branch's values walked from the resource, each made
 * a range by medplum's toPeriod; values toPeriod does not take (a Timing, a string that is no date) or fails on (an
 * impossible date) give no row.
 */
export function dateRows(resource: Resource, plan: DatePlan): DateRow[] {
  const params = plan[resource.resourceType];
  if (!params) return [];
  const seen = new Set<string>();
  const rows: DateRow[] = [];
  for (const [code, { branches, reference }] of Object.entries(params)) {
    if (reference) {
      const refs = new Set<string>();
      for (const steps of branches) {
        for (const value of walk(resource, steps)) {
          const ref = (value as { reference?: unknown }).reference;
          if (typeof ref === 'string') refs.add(ref);
        }
      }
      let n = 0;
      for (const ref of refs) rows.push([code, ref, n++]);
      continue;
    }
    for (const steps of branches) {
      for (const value of walk(resource, steps)) {
        const range = rangeOf(value);
        if (!range) continue;
        const row: DateRow = [code, range[0], range[1]];
        const key = row.join('\n');
        if (seen.has(key)) continue;
        seen.add(key);
        rows.push(row);
      }
    }
  }
  return rows;
}

/** A value's range (low, high), or null when it gives no row: what rangeOf answered for each text it met lately. */
const ranges = new Map<string, readonly [string, string] | null>();
/** Texts rangeOf remembers at most (then it starts again): ~10 MB. */
const MAX_RANGES = 50_000;

/**
 * A date value's range as medplum's toPeriod makes it (`[start ?? OPEN_LOW, end ?? OPEN_HIGH]`), or null when toPeriod
 * does not take it or throws (an impossible date). toPeriod depends only on a string's text, or a Period's `start` and
 * `end` (each a string or absent: the key), never on the time zone or the clock: the answer for a text met before
 * is the one given then. A claim's and its lines' dates repeat, and toPeriod (two Date parses and two regular
 * expressions a value) was 5.5 % of a first build's workers.
 */
export function rangeOf(value: unknown): readonly [string, string] | null {
  const key = rangeKey(value);
  if (key === undefined) return periodRange(value);
  let range = ranges.get(key);
  if (range === undefined) {
    if (ranges.size >= MAX_RANGES) ranges.clear();
    range = periodRange(value);
    ranges.set(key, range);
  }
  return range;
}

/** The text that decides toPeriod's answer for `value`, or undefined when something else could (not remembered). */
function rangeKey(value: unknown): string | undefined {
  if (typeof value === 'string') return `s${value}`;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { start, end } = value as { start?: unknown; end?: unknown };
  if ((start !== undefined && typeof start !== 'string') || (end !== undefined && typeof end !== 'string')) return undefined;
  // An empty or absent start (or end) is alike to toPeriod; the length keeps `start` and `end` apart.
  const low = start ?? '';
  return `p${low.length} ${low}${end ?? ''}`;
}

function periodRange(value: unknown): readonly [string, string] | null {
  let period: ReturnType<typeof toPeriod>;
  try {
    period = toPeriod(value);
  } catch {
    return null;
  }
  return period ? [period.start ?? OPEN_LOW, period.end ?? OPEN_HIGH] : null;
}

/** dateRows as a JSON array (`[["created","2024-…","2024-…"],…]`, `[]` when none), for SQLite's json_each. */
export function dateRowsJson(resource: Resource, plan: DatePlan): string {
  return JSON.stringify(dateRows(resource, plan));
}

/** Element names of a plan step (`effective|DateTime|Period` → effectiveDateTime, effectivePeriod), made once per step. */
const namesOfStep = new Map<string, string[]>();
function stepNames(step: string): string[] {
  let names = namesOfStep.get(step);
  if (!names) {
    const bar = step.indexOf('|');
    names = bar < 0 ? [step] : step.slice(bar + 1).split('|').map((suffix) => `${step.slice(0, bar)}${suffix}`);
    namesOfStep.set(step, names);
  }
  return names;
}

/** The values at the end of `steps` (arrays flattened at every step, as FHIRPath does). */
function walk(resource: Resource, steps: string[]): unknown[] {
  let level: unknown[] = [resource];
  for (const step of steps) {
    const names = stepNames(step);
    const next: unknown[] = [];
    for (const value of level) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
      for (const name of names) {
        const child = (value as Record<string, unknown>)[name];
        if (Array.isArray(child)) {
          for (const one of child) if (one !== undefined && one !== null) next.push(one);
        } else if (child !== undefined && child !== null) next.push(child);
      }
    }
    level = next;
  }
  return level;
}
