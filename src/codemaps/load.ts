import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCptFormat, isHcpcsFormat, isIcd10CmFormat } from '../util/check-digits.js';
import { UserError } from '../util/errors.js';
import { forgetPlaces, parseJsonWithPlaces, placeOf, placesOf } from '../util/json-places.js';
import { parseJsonUniqueKeys } from '../util/json-unique-keys.js';
import { packageRoot } from '../util/paths.js';
import { loadCatalog } from './catalog.js';
import { AGE, fieldProblem, orderProblem, type Fields } from './fields.js';
import { loadClinicalCodeMaps } from './clinical.js';
import { checkCrossRefs } from './cross-refs.js';
import { loadPricing } from './pricing.js';
import { loadPriorAuth } from './prior-auth.js';
import { loadTables } from './tables.js';
import type { CodeMaps, DenialRow, DentalRow, ProcedureRow, SourcedRow, TaxonomyRow, VisitReasonRow } from './types.js';

const cache = new Map<string, CodeMaps>();
/** Whether read() leaves out the JSON places: during loadCodeMaps' first reading (readCodeMapsLocated). */
let placeless = false;

/**
 * A billed charge, dollars: a line billed at $0 is possible (a no-charge service), one below is not; above $1,000,000
 * a line is a slipped decimal (pricing.json's dollar figures have the same bound, src/codemaps/pricing.ts).
 */
const CHARGE = 'number 0..1000000';

/**
 * Reads one code-maps/ directory; every failure is a one-line UserError naming the file and, where the value is in it,
 * the line and column of the field at fault, then the row or key and the problem
 * (`code-maps/professional-procedures.json:19:17: row 2: charge: expected a number ≥ 0, got -5`); a key twice in one
 * JSON object is refused (parseJsonWithPlaces).
 */
export interface CodeMapReader {
  read<T>(file: string): T;
  /**
   * The file's `rows`, each an object with a source and the `fields` given (src/codemaps/fields.ts); `nonEmpty`: at
   * least one row. A row that lacks one is `code-maps/FILE:LINE:COLUMN: row N: FIELD: …` (at the row's `{` for a missing field).
   */
  rows<T extends SourcedRow>(file: string, fields?: Fields, nonEmpty?: boolean): T[];
  /** rows, keyed; a key twice is refused. fail(file, KEY, …) then points at that row. */
  index<T extends SourcedRow>(file: string, key: (row: T) => string, fields?: Fields, nonEmpty?: boolean): Map<string, T>;
  /**
   * `code-maps/FILE:LINE:COLUMN: row N: FIELD: …` for the first field of `fields` that `row` (the N-th of its list)
   * lacks; `code-maps/FILE: row N: …` when `row` was not read from the file.
   */
  check(file: string, row: Record<string, unknown>, n: number, fields: Fields, where?: string): void;
  /** `value`, a list other than `rows` (`name`: `schedule`), checked as rows are. */
  list<T>(file: string, value: unknown, name: string, fields: Fields, nonEmpty?: boolean): T[];
  /** `value`, an object of the file (`name`: `seasonal`), with `fields`: `code-maps/FILE:LINE:COLUMN: NAME: FIELD: …`. */
  object<T>(file: string, value: unknown, name: string, fields: Fields): T;
  /**
   * Throws `code-maps/FILE:LINE:COLUMN: NAME N: 'KEY' is also NAME M` for the first row of `list` whose key an earlier
   * row has, at that row's `field` (a dotted path: `code`, the field the key is made of), else at the row's `{`.
   */
  unique<T>(file: string, list: readonly T[], key: (row: T) => string, name?: string, field?: string): void;
  /**
   * Throws `code-maps/FILE:LINE:COLUMN: 'KEY': problem`. The place: `field` (a dotted path, or keys and array indexes:
   * `['icd10cm', 2, 'code']`) in `row` when given (a row as `rows` read it), else in the row `index` read under KEY, the
   * row's `{` without `field`; else KEY as a dotted path from the file's top (`rvus.codes.99213`), else none
   * (`code-maps/FILE: 'KEY': …`).
   */
  fail(file: string, key: string, problem: string, field?: string | readonly (string | number)[], row?: object): never;
  /**
   * Throws `code-maps/FILE:LINE:COLUMN: 'KEY': problem` at `path` (keys and array indexes) from the top of the file as
   * read last, or the deepest part of it there: a row fhirseed needs that is not there is pointed at the `rows` list
   * it belongs in (`['rows']`), a problem of one object of the file at that object (`['taps', 'answers']`).
   */
  failAt(file: string, key: string, problem: string, path: readonly (string | number)[]): never;
}

/** Per code-maps directory and file: the parsed file and the rows index() keyed, for fail's places. */
const readFiles = new Map<string, { root: unknown; keyed?: Map<string, object> }>();

/** `code-maps/FILE:LINE:COLUMN` of `path` in `value` (the deepest part there), or `code-maps/FILE` when `value` was not read from a file. */
function located(file: string, value: unknown, path: readonly (string | number)[] = []): string {
  const at = placeOf(value, path);
  return at ? `code-maps/${file}:${at.line}:${at.column}` : `code-maps/${file}`;
}

export function codeMapReader(dir: string): CodeMapReader {
  const read = <T>(file: string): T => {
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch (error) {
      throw new UserError(`code-maps/${file}: cannot read (${(error as Error).message.split('\n')[0]})`);
    }
    const root = placeless ? parseJsonUniqueKeys<T>(text, `code-maps/${file}`) : parseJsonWithPlaces<T>(text, `code-maps/${file}`);
    readFiles.set(`${dir}\0${file}`, { root });
    return root;
  };
  const check = (file: string, row: Record<string, unknown>, n: number, fields: Fields, where = 'row'): void => {
    for (const [name, kind] of Object.entries(fields)) {
      const problem = fieldProblem(row, name, kind);
      if (problem) throw new UserError(`${located(file, row, name.split('.'))}: ${where} ${n}: ${problem}`);
    }
    const order = orderProblem(row, fields);
    if (order) throw new UserError(`${located(file, row, [order.split(' ')[0]!])}: ${where} ${n}: ${order}`);
  };
  const list = <T>(file: string, value: unknown, name: string, fields: Fields, nonEmpty = false): T[] => {
    if (!Array.isArray(value)) throw new UserError(`code-maps/${file}: expected a "${name}" list`);
    if (nonEmpty && value.length === 0) throw new UserError(`${located(file, value)}: "${name}" is empty (fhirseed needs at least one)`);
    value.forEach((row: unknown, i) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new UserError(`${located(file, value, [i])}: ${name} row ${i + 1} is not an object`);
      check(file, row as Record<string, unknown>, i + 1, fields, `${name} row`);
    });
    return value as T[];
  };
  const object = <T>(file: string, value: unknown, name: string, fields: Fields): T => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`code-maps/${file}: expected a "${name}" object`);
    for (const [field, kind] of Object.entries(fields)) {
      const problem = fieldProblem(value as Record<string, unknown>, field, kind);
      if (problem) throw new UserError(`${located(file, value, field.split('.'))}: ${name}: ${problem}`);
    }
    const order = orderProblem(value as Record<string, unknown>, fields);
    if (order) throw new UserError(`${located(file, value, [order.split(' ')[0]!])}: ${name}: ${order}`);
    return value as T;
  };
  const rows = <T extends SourcedRow>(file: string, fields: Fields = {}, nonEmpty = false) => {
    const json = read<{ rows?: T[] } | null>(file);
    const list = typeof json === 'object' && json !== null ? json.rows : undefined;
    if (!Array.isArray(list)) throw new UserError(`code-maps/${file}: expected a "rows" array`);
    if (nonEmpty && list.length === 0) throw new UserError(`${located(file, list)}: has no rows (fhirseed needs at least one)`);
    list.forEach((row, i) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        throw new UserError(`${located(file, list, [i])}: row ${i + 1} is not an object`);
      }
      if (!row.source) throw new UserError(`${located(file, row)}: row ${i + 1} has no source`);
      check(file, row as unknown as Record<string, unknown>, i + 1, fields);
    });
    return list;
  };
  const index = <T extends SourcedRow>(file: string, key: (row: T) => string, fields?: Fields, nonEmpty?: boolean) => {
    const map = new Map<string, T>();
    for (const row of rows<T>(file, fields, nonEmpty)) {
      const k = key(row);
      const twin = map.get(k);
      if (twin) throw new UserError(`${located(file, row, keyField(row, k))}: duplicate key '${k}'`);
      map.set(k, row);
    }
    const entry = readFiles.get(`${dir}\0${file}`);
    if (entry) entry.keyed = map;
    return map;
  };
  const unique = <T>(file: string, list: readonly T[], key: (row: T) => string, name = 'row', field?: string): void => {
    const seen = new Map<string, number>();
    list.forEach((row, i) => {
      const k = key(row);
      const twin = seen.get(k);
      if (twin !== undefined) throw new UserError(`${located(file, row, field?.split('.') ?? keyField(row, k))}: ${name} ${i + 1}: '${k}' is also ${name} ${twin}`);
      seen.set(k, i + 1);
    });
  };
  const fail = (file: string, key: string, problem: string, field?: string | readonly (string | number)[], given?: object): never => {
    const entry = readFiles.get(`${dir}\0${file}`);
    const row = given ?? entry?.keyed?.get(key);
    let where = `code-maps/${file}`;
    if (row) where = located(file, row, typeof field === 'string' ? field.split('.') : (field ?? []));
    else if (entry && exactPlace(entry.root, key.split('.'))) where = located(file, entry.root, key.split('.'));
    throw new UserError(`${where}: '${key}': ${problem}`);
  };
  const failAt = (file: string, key: string, problem: string, path: readonly (string | number)[]): never => {
    throw new UserError(`${located(file, readFiles.get(`${dir}\0${file}`)?.root, path)}: '${key}': ${problem}`);
  };
  return { read, rows, index, check, list, object, unique, fail, failAt };
}

/** The field of `row` whose value is its key `k` (`key`, `kind`, `drugKey`), so a key twice points at it; none for a key made of several fields. */
function keyField(row: unknown, k: string): string[] {
  if (typeof row !== 'object' || row === null) return [];
  const field = Object.keys(row).find((f) => (row as Record<string, unknown>)[f] === k);
  return field === undefined ? [] : [field];
}

/** `path` from `value` when every part of it is there (a key of an object read from a file), else undefined. */
function exactPlace(value: unknown, path: readonly string[]): boolean {
  let current: any = value;
  for (const part of path) {
    if (!placesOf(current)?.keys?.has(part)) return false;
    current = current[part];
  }
  return true;
}


/** Reads and indexes code-maps/ once per directory; a broken table is a one-line UserError naming file and row. */
export function loadCodeMaps(dir = join(packageRoot(), 'code-maps')): CodeMaps {
  const cached = cache.get(dir);
  if (cached) return cached;
  try {
    const maps = readCodeMapsLocated(dir);
    cache.set(dir, maps);
    return maps;
  } finally {
    // Places serve only the load's own errors: every check is done by now.
    forgetPlaces();
  }
}

/**
 * readCodeMaps without JSON places first: on the shipped code maps the places parse and its garbage were ~0.24 s of
 * `generate`'s start-up, for errors that did not happen (issue 13). A UserError there is found again by a second
 * reading with places, which throws it located (the checks are the same, in the same order); should that reading pass,
 * the first error stands.
 */
function readCodeMapsLocated(dir: string): CodeMaps {
  try {
    placeless = true;
    return readCodeMaps(dir);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    placeless = false;
    readCodeMaps(dir);
    throw error;
  } finally {
    placeless = false;
  }
}

function readCodeMaps(dir: string): CodeMaps {
  const { rows, index, fail, failAt } = codeMapReader(dir);

  const procedures = index<ProcedureRow>('professional-procedures.json', (r) => r.key, {
    key: 'text', system: 'text', code: 'text', display: 'text', licensed: 'boolean', use: 'text', charge: CHARGE, revenue: 'text?', laterality: 'boolean?',
    ageMin: `${AGE}?`, ageMax: `${AGE}?`,
  }, true);
  // Conditions, drugs, MS-DRGs, ICD-10-PCS: the curated catalogs; their HCPCS codes join the procedures.
  const { conditions, drugs, drugsByCondition, drgs, pcs, hcpcs } = loadCatalog(codeMapReader(dir), procedures);
  for (const row of hcpcs) procedures.set(row.key, row);
  const dental = index<DentalRow>('dental.json', (r) => r.key, {
    key: 'text', code: 'text', display: 'text', licensed: 'boolean', use: 'text', charge: CHARGE, toothSpecific: 'boolean', surfaces: 'boolean',
  });
  const taxonomy = rows<TaxonomyRow>('nucc-taxonomy.json', { code: 'text', display: 'text', use: 'text' }, true);
  // The story bills PR to the member and writes the others off: a typo must not move who owes.
  const denials = rows<DenialRow>('denials.json', {
    carc: 'text', display: 'text', group: 'one of CO OA PI PR', claimTypes: 'each of professional outpatient inpatient oral pharmacy', ncpdpReject: 'text?',
  }, true);
  const visitReasons = index<VisitReasonRow>('visit-reasons.json', (r) => r.key, { key: 'text', icd10cm: 'text', display: 'text', ageMin: AGE, ageMax: AGE });
  const tables = loadTables(codeMapReader(dir));

  const procedureCodes = new Map<string, string>();
  for (const [key, p] of procedures) {
    const twin = procedureCodes.get(p.code);
    // Claim lines carry only the code, so each code must name one row (see procedureKeyOf).
    if (twin) fail('professional-procedures.json', key, `code ${p.code} is also row '${twin}'`, 'code');
    procedureCodes.set(p.code, key);
    if (p.system !== 'cpt' && p.system !== 'hcpcs') fail('professional-procedures.json', key, `unknown system '${p.system}' (cpt or hcpcs)`, 'system');
    const ok = p.system === 'cpt' ? isCptFormat(p.code) : isHcpcsFormat(p.code);
    if (!ok) fail('professional-procedures.json', key, `'${p.code}' is not a ${p.system.toUpperCase()} code`, 'code');
    if (p.system === 'cpt' && !p.licensed) fail('professional-procedures.json', key, 'CPT codes are licensed: set licensed: true', 'licensed');
  }
  for (const [key, d] of dental) if (!/^D\d{4}$/.test(d.code)) fail('dental.json', key, `'${d.code}' is not a CDT code`, 'code');
  for (const [key, v] of visitReasons) if (!isIcd10CmFormat(v.icd10cm)) fail('visit-reasons.json', key, `'${v.icd10cm}' is not an ICD-10-CM code`, 'icd10cm');
  // The story names these: a preventive visit's diagnosis by age, and every dental claim's (without it, none at all).
  for (const key of ['adult-exam', 'child-exam', 'dental-exam']) if (!visitReasons.has(key)) failAt('visit-reasons.json', key, 'is missing (fhirseed uses it)', ['rows']);
  // Hospital lines carry the procedure's revenue code with its display from tables.json: a code the table lacks
  // would stop a run mid-generation (lines.ts tableEntry) instead of here.
  const revenueCodes = new Set(tables.get('revenue')?.codes.map((c) => c.code));
  const catalogKeys = new Set(hcpcs.map((r) => r.key));
  for (const [key, p] of procedures) {
    const file = catalogKeys.has(key) ? 'catalog/hcpcs.json' : 'professional-procedures.json';
    if (p.revenue && !revenueCodes.has(p.revenue)) fail(file, key, `revenue code ${p.revenue} is not in tables.json's revenue table`, 'revenue');
  }

  // Rows the story picks by use, with nothing to fall back on (src/story/claims, src/story/directory.ts).
  const needUses = (file: string, list: readonly { use: string; display: string }[], uses: readonly string[]) => {
    for (const use of uses) if (!list.some((r) => r.use === use)) failAt(file, use, 'no row of this use (fhirseed needs one)', ['rows']);
  };
  needUses('professional-procedures.json', [...procedures.values()], ['office-visit', 'new-visit', 'ed-visit', 'lab', 'imaging', 'ambulance']);
  const ambulance = [...procedures.values()].filter((r) => r.use === 'ambulance');
  if (ambulance.every((r) => /mileage/i.test(r.display)) || !ambulance.some((r) => /mileage/i.test(r.display))) {
    failAt('professional-procedures.json', 'ambulance', "needs a transport row and a mileage row ('mileage' in its display)", ['rows']);
  }
  needUses('dental.json', [...dental.values()], ['exam', 'cleaning', 'periodontal']);
  needUses('nucc-taxonomy.json', taxonomy, ['primary-care', 'specialist', 'dentist', 'pharmacist', 'hospital', 'clinic', 'pharmacy', 'dental-practice', 'ambulance']);

  const pricing = loadPricing(codeMapReader(dir));
  const priorAuth = loadPriorAuth(codeMapReader(dir));

  const base = { conditions, drugs, drugsByCondition, procedures, dental, drgs, pcs, taxonomy, denials, visitReasons, tables, pricing, priorAuth };
  const maps: CodeMaps = { ...base, clinical: loadClinicalCodeMaps(codeMapReader(dir), base) };
  checkCrossRefs(codeMapReader(dir), maps);
  return maps;
}
