/**
 * The rows of a targets list — a profile's `targets:` section and `fhirseed report --targets FILE` take
 * the same rows. They live in the profile layer so a profile can be checked without the report; the
 * report (src/report/targets.ts) measures and judges them.
 */

/** The books a target can name (`fhirseed report` places each member in one of them by its Coverage). */
export const TARGET_BOOKS = ['commercial', 'medicare', 'medicaid', 'dental'] as const;
export type TargetBook = (typeof TARGET_BOOKS)[number];

/** Claim types of the `lines-per-claim.<type>` and `claims-per-member-year.<type>` statistics. */
const CLAIM_TYPES = ['inpatient', 'outpatient', 'professional', 'pharmacy', 'oral'] as const;
/** Chronic condition groups of the `prevalence.<group>` statistics. */
const CONDITION_GROUPS = ['diabetes', 'hypertension', 'hyperlipidaemia', 'ckd', 'ischaemic-heart-disease', 'copd', 'asthma', 'depression', 'heart-failure', 'osteoarthritis'] as const;

/**
 * The statistic ids a target can name, in the report's order (src/report/statistics.ts STATISTICS has
 * one statistic per id; test/report/targets.test.ts keeps the two lists equal).
 */
export const TARGET_STATISTIC_IDS: readonly string[] = [
  ...CLAIM_TYPES.map((t) => `lines-per-claim.${t}`),
  ...CLAIM_TYPES.map((t) => `claims-per-member-year.${t}`),
  'admissions-per-1000',
  'average-length-of-stay',
  'er-visits-per-1000',
  'fills-30day-per-member-year',
  ...CONDITION_GROUPS.map((g) => `prevalence.${g}`),
  'chronic-2plus-share',
  'allowed-per-member-year',
  'dental-allowed-per-member-year',
  'member-share',
  'no-claim-share',
  'deaths-per-1000',
];
const KNOWN = new Set(TARGET_STATISTIC_IDS);

/**
 * How far a measured value may be from the target and still pass: `relative` (0.25 = ±25% of the
 * target), `absolute` (±, in the statistic's unit: 1 = ±1 day, 0.05 = ±5 points of a share), or an
 * inclusive range `min`–`max`.
 */
export type Tolerance = { relative: number } | { absolute: number } | { min: number; max: number };

/** One benchmark: a statistic on a population, its target and tolerance, and where the number comes from. */
export interface TargetRow {
  /** Short label, unique in the list (e.g. "4b"). */
  id: string;
  /** A statistic id (TARGET_STATISTIC_IDS). */
  statistic: string;
  /** `all` (default) or a book. */
  book: 'all' | TargetBook;
  /** Inclusive age range at the window's end. */
  minAge?: number;
  maxAge?: number;
  target: number;
  tolerance: Tolerance;
  /** Where the target comes from (required). */
  source: string;
}

/** JSON Schema (ajv) of one row, as a targets file and a profile's `targets:` list take it. */
export const targetRowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'statistic', 'target', 'tolerance', 'source'],
  properties: {
    id: { type: 'string', minLength: 1 },
    statistic: { type: 'string' },
    book: { type: 'string', enum: ['all', ...TARGET_BOOKS] },
    minAge: { type: 'integer', minimum: 0 },
    maxAge: { type: 'integer', minimum: 0 },
    target: { type: 'number' },
    tolerance: {
      type: 'object',
      additionalProperties: false,
      properties: { relative: { type: 'number', exclusiveMinimum: 0 }, absolute: { type: 'number', minimum: 0 }, min: { type: 'number' }, max: { type: 'number' } },
      oneOf: [{ required: ['relative'] }, { required: ['absolute'] }, { required: ['min', 'max'] }],
    },
    source: { type: 'string', minLength: 1 },
  },
} as const;

/**
 * The checks beyond the schema (known statistic, unique ids, min ≤ max) on rows that passed
 * `targetRowSchema`; fills in `book: all`. `fail(i, field path, problem)` reports row i's problem and
 * throws (each caller locates it in its own file).
 */
export function checkTargetRows(rows: TargetRow[], fail: (i: number, field: (string | number)[], problem: string) => never): TargetRow[] {
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    if (!KNOWN.has(row.statistic)) fail(i, ['statistic'], `unknown statistic '${row.statistic}' (known: ${TARGET_STATISTIC_IDS.join(', ')})`);
    if (ids.has(row.id)) fail(i, ['id'], `duplicate id '${row.id}'`);
    ids.add(row.id);
    if (row.minAge !== undefined && row.maxAge !== undefined && row.maxAge < row.minAge) fail(i, ['maxAge'], `maxAge ${row.maxAge} is below minAge ${row.minAge}`);
    const t = row.tolerance;
    if ('min' in t && t.max < t.min) fail(i, ['tolerance', 'max'], `max ${t.max} is below min ${t.min}`);
    row.book ??= 'all';
  });
  return rows;
}
