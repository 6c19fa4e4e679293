import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ProfileError, UserError } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import { BOOKS } from './book.js';
import { STATISTIC_IDS } from './statistics.js';

/**
 * How far a measured value may be from the target and still pass: `relative` (0.25 = ±25% of the
 * target), `absolute` (±, in the statistic's unit: 1 = ±1 day, 0.05 = ±5 points of a share), or an
 * inclusive range `min`–`max`.
 */
export type Tolerance = { relative: number } | { absolute: number } | { min: number; max: number };

/** One benchmark: a statistic on a population, its target and tolerance, and where the number comes from. */
export interface TargetRow {
  /** Short label, unique in the file (e.g. "4b"). */
  id: string;
  /** A statistic id (see STATISTICS). */
  statistic: string;
  /** `all` (default) or a book. */
  book: 'all' | (typeof BOOKS)[number];
  /** Inclusive age range at the window's end. */
  minAge?: number;
  maxAge?: number;
  target: number;
  tolerance: Tolerance;
  /** Where the target comes from (required). */
  source: string;
}

/** The schema of one row: a profile's future `targets:` section can take a list of these as it is. */
export const targetRowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'statistic', 'target', 'tolerance', 'source'],
  properties: {
    id: { type: 'string', minLength: 1 },
    statistic: { type: 'string' },
    book: { type: 'string', enum: ['all', ...BOOKS] },
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

/** A targets file: `targets:` and its rows (YAML or JSON). */
export const targetsFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['targets'],
  properties: { description: { type: 'string' }, targets: { type: 'array', items: targetRowSchema } },
} as const;

const validateFile = new Ajv({ allErrors: false, strict: false }).compile(targetsFileSchema);

/** The built-in targets: profiles/targets/realism.yaml (REALISM-TARGETS.md). */
export function builtInTargetsFile(): string {
  return join(packageRoot(), 'profiles', 'targets', 'realism.yaml');
}

/** Reads a targets file; an unreadable file is a UserError, a bad one a ProfileError at file:line:column. */
export function loadTargets(file = builtInTargetsFile()): TargetRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read the targets file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseTargets(text, file);
}

/** Parses and checks a targets file (YAML or JSON); the first problem throws a ProfileError. */
export function parseTargets(text: string, file: string): TargetRow[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core', prettyErrors: false, uniqueKeys: true });
  const fail = (path: (string | number)[], problem: string): never => {
    const { line, col } = lineCounter.linePos(locate(doc, path));
    throw new ProfileError(file, line, col, formatPath(path), problem);
  };
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    throw new ProfileError(file, line, col, '', `YAML: ${yamlError.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS();
  if (!validateFile(raw)) {
    const error = validateFile.errors?.[0] as ErrorObject;
    const path = error.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    if (error.keyword === 'additionalProperties') fail([...path, String(error.params.additionalProperty)], `unknown key '${String(error.params.additionalProperty)}'`);
    if (error.keyword === 'required') fail(path, `missing required field '${String(error.params.missingProperty)}'`);
    if (error.keyword === 'oneOf') fail(path, 'give exactly one of relative, absolute, or min and max');
    fail(path, error.message ?? error.keyword);
  }
  return checkTargetRows((raw as { targets: TargetRow[] }).targets, (i, field, problem) => fail(['targets', i, ...field], problem));
}

/**
 * The checks beyond the schema (known statistic, unique ids, min ≤ max) on rows that passed
 * `targetRowSchema`; fills in `book: all`. `fail(i, field path, problem)` reports row i's problem and
 * throws — a profile's `targets:` section can call this with its own locator.
 */
export function checkTargetRows(rows: TargetRow[], fail: (i: number, field: (string | number)[], problem: string) => never): TargetRow[] {
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    if (!STATISTIC_IDS.has(row.statistic)) fail(i, ['statistic'], `unknown statistic '${row.statistic}' (known: ${[...STATISTIC_IDS].join(', ')})`);
    if (ids.has(row.id)) fail(i, ['id'], `duplicate id '${row.id}'`);
    ids.add(row.id);
    if (row.minAge !== undefined && row.maxAge !== undefined && row.maxAge < row.minAge) fail(i, ['maxAge'], `maxAge ${row.maxAge} is below minAge ${row.minAge}`);
    const t = row.tolerance;
    if ('min' in t && t.max < t.min) fail(i, ['tolerance', 'max'], `max ${t.max} is below min ${t.min}`);
    row.book ??= 'all';
  });
  return rows;
}

/** The inclusive interval a row passes in. */
export function bounds(row: Pick<TargetRow, 'target' | 'tolerance'>): { low: number; high: number } {
  const t = row.tolerance;
  if ('relative' in t) return { low: row.target * (1 - t.relative), high: row.target * (1 + t.relative) };
  if ('absolute' in t) return { low: row.target - t.absolute, high: row.target + t.absolute };
  return { low: t.min, high: t.max };
}

/** pass / fail for a measured value; n.a. when nothing could be measured. */
export function judge(row: TargetRow, measured: number | undefined): 'pass' | 'fail' | 'n.a.' {
  if (measured === undefined) return 'n.a.';
  const { low, high } = bounds(row);
  // Round away float noise so a value printed as on the bound passes.
  const v = Number(measured.toPrecision(12));
  return v >= Number(low.toPrecision(12)) && v <= Number(high.toPrecision(12)) ? 'pass' : 'fail';
}

function locate(doc: Document, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | undefined;
    if (node && (node.range || isMap(node) || isSeq(node))) return node.range?.[0] ?? 0;
  }
  return 0;
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
