import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIcd10CmFormat } from '../util/check-digits.js';
import { UserError } from '../util/errors.js';
import { parseJsonText } from '../util/json-text.js';
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

/** A billed charge, dollars: a line billed at $0 is possible (a no-charge service), one below is not. */
const CHARGE = 'number 0..';

/** Reads one code-maps/ directory; every failure is a one-line UserError naming file and row. */
export interface CodeMapReader {
  read<T>(file: string): T;
  /**
   * The file's `rows`, each an object with a source and the `fields` given (src/codemaps/fields.ts); `nonEmpty`: at
   * least one row. A row that lacks one is `code-maps/FILE: row N: FIELD: …`.
   */
  rows<T extends SourcedRow>(file: string, fields?: Fields, nonEmpty?: boolean): T[];
  index<T extends SourcedRow>(file: string, key: (row: T) => string, fields?: Fields, nonEmpty?: boolean): Map<string, T>;
  /** `code-maps/FILE: row N: FIELD: …` for the first field of `fields` that `row` (the N-th of its list) lacks. */
  check(file: string, row: Record<string, unknown>, n: number, fields: Fields, where?: string): void;
  /** `value`, a list other than `rows` (`name`: `schedule`), checked as rows are: `code-maps/FILE: NAME row N: …`. */
  list<T>(file: string, value: unknown, name: string, fields: Fields, nonEmpty?: boolean): T[];
  /** `value`, an object of the file (`name`: `seasonal`), with `fields`: `code-maps/FILE: NAME: FIELD: …`. */
  object<T>(file: string, value: unknown, name: string, fields: Fields): T;
  /** Throws `code-maps/FILE: NAME N: 'KEY' is also NAME M` for the first row of `list` whose key an earlier row has. */
  unique<T>(file: string, list: readonly T[], key: (row: T) => string, name?: string): void;
  fail(file: string, key: string, problem: string): never;
}

export function codeMapReader(dir: string): CodeMapReader {
  const read = <T>(file: string): T => {
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch (error) {
      throw new UserError(`code-maps/${file}: cannot read (${(error as Error).message.split('\n')[0]})`);
    }
    return parseJsonText<T>(text, `code-maps/${file}`);
  };
  const check = (file: string, row: Record<string, unknown>, n: number, fields: Fields, where = 'row'): void => {
    for (const [name, kind] of Object.entries(fields)) {
      const problem = fieldProblem(row, name, kind);
      if (problem) throw new UserError(`code-maps/${file}: ${where} ${n}: ${problem}`);
    }
    const order = orderProblem(row, fields);
    if (order) throw new UserError(`code-maps/${file}: ${where} ${n}: ${order}`);
  };
  const list = <T>(file: string, value: unknown, name: string, fields: Fields, nonEmpty = false): T[] => {
    if (!Array.isArray(value)) throw new UserError(`code-maps/${file}: expected a "${name}" list`);
    if (nonEmpty && value.length === 0) throw new UserError(`code-maps/${file}: "${name}" is empty (fhirseed needs at least one)`);
    value.forEach((row: unknown, i) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new UserError(`code-maps/${file}: ${name} row ${i + 1} is not an object`);
      check(file, row as Record<string, unknown>, i + 1, fields, `${name} row`);
    });
    return value as T[];
  };
  const object = <T>(file: string, value: unknown, name: string, fields: Fields): T => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`code-maps/${file}: expected a "${name}" object`);
    for (const [field, kind] of Object.entries(fields)) {
      const problem = fieldProblem(value as Record<string, unknown>, field, kind);
      if (problem) throw new UserError(`code-maps/${file}: ${name}: ${problem}`);
    }
    const order = orderProblem(value as Record<string, unknown>, fields);
    if (order) throw new UserError(`code-maps/${file}: ${name}: ${order}`);
    return value as T;
  };
  const rows = <T extends SourcedRow>(file: string, fields: Fields = {}, nonEmpty = false) => {
    const json = read<{ rows?: T[] } | null>(file);
    const list = typeof json === 'object' && json !== null ? json.rows : undefined;
    if (!Array.isArray(list)) throw new UserError(`code-maps/${file}: expected a "rows" array`);
    if (nonEmpty && list.length === 0) throw new UserError(`code-maps/${file}: has no rows (fhirseed needs at least one)`);
    list.forEach((row, i) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        throw new UserError(`code-maps/${file}: row ${i + 1} is not an object`);
      }
      if (!row.source) throw new UserError(`code-maps/${file}: row ${i + 1} has no source`);
      check(file, row as unknown as Record<string, unknown>, i + 1, fields);
    });
    return list;
  };
  const index = <T extends SourcedRow>(file: string, key: (row: T) => string, fields?: Fields, nonEmpty?: boolean) => {
    const map = new Map<string, T>();
    for (const row of rows<T>(file, fields, nonEmpty)) {
      const k = key(row);
      if (map.has(k)) throw new UserError(`code-maps/${file}: duplicate key '${k}'`);
      map.set(k, row);
    }
    return map;
  };
  const unique = <T>(file: string, list: readonly T[], key: (row: T) => string, name = 'row'): void => {
    const seen = new Map<string, number>();
    list.forEach((row, i) => {
      const k = key(row);
      const twin = seen.get(k);
      if (twin !== undefined) throw new UserError(`code-maps/${file}: ${name} ${i + 1}: '${k}' is also ${name} ${twin}`);
      seen.set(k, i + 1);
    });
  };
  const fail = (file: string, key: string, problem: string): never => {
    throw new UserError(`code-maps/${file}: '${key}': ${problem}`);
  };
  return { read, rows, index, check, list, object, unique, fail };
}

/** Reads and indexes code-maps/ once per directory; a broken table is a one-line UserError naming file and row. */
export function loadCodeMaps(dir = join(packageRoot(), 'code-maps')): CodeMaps {
  const cached = cache.get(dir);
  if (cached) return cached;
  const { rows, index, fail } = codeMapReader(dir);

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
    if (twin) fail('professional-procedures.json', key, `code ${p.code} is also row '${twin}'`);
    procedureCodes.set(p.code, key);
    if (p.system !== 'cpt' && p.system !== 'hcpcs') fail('professional-procedures.json', key, `unknown system '${p.system}' (cpt or hcpcs)`);
    const ok = p.system === 'cpt' ? /^\d{4}[0-9FTU]$/.test(p.code) : /^[A-V]\d{4}$/.test(p.code);
    if (!ok) fail('professional-procedures.json', key, `'${p.code}' is not a ${p.system.toUpperCase()} code`);
    if (p.system === 'cpt' && !p.licensed) fail('professional-procedures.json', key, 'CPT codes are licensed: set licensed: true');
  }
  for (const [key, d] of dental) if (!/^D\d{4}$/.test(d.code)) fail('dental.json', key, `'${d.code}' is not a CDT code`);
  for (const [key, v] of visitReasons) if (!isIcd10CmFormat(v.icd10cm)) fail('visit-reasons.json', key, `'${v.icd10cm}' is not an ICD-10-CM code`);
  // The story names these: a preventive visit's diagnosis by age, and every dental claim's (without it, none at all).
  for (const key of ['adult-exam', 'child-exam', 'dental-exam']) if (!visitReasons.has(key)) fail('visit-reasons.json', key, 'is missing (fhirseed uses it)');
  // Hospital lines carry the procedure's revenue code with its display from tables.json: a code the table lacks
  // would stop a run mid-generation (lines.ts tableEntry) instead of here.
  const revenueCodes = new Set(tables.get('revenue')?.codes.map((c) => c.code));
  const catalogKeys = new Set(hcpcs.map((r) => r.key));
  for (const [key, p] of procedures) {
    const file = catalogKeys.has(key) ? 'catalog/hcpcs.json' : 'professional-procedures.json';
    if (p.revenue && !revenueCodes.has(p.revenue)) fail(file, key, `revenue code ${p.revenue} is not in tables.json's revenue table`);
  }

  // Rows the story picks by use, with nothing to fall back on (src/story/claims, src/story/directory.ts).
  const needUses = (file: string, list: readonly { use: string; display: string }[], uses: readonly string[]) => {
    for (const use of uses) if (!list.some((r) => r.use === use)) fail(file, use, 'no row of this use (fhirseed needs one)');
  };
  needUses('professional-procedures.json', [...procedures.values()], ['office-visit', 'new-visit', 'ed-visit', 'lab', 'imaging', 'ambulance']);
  const ambulance = [...procedures.values()].filter((r) => r.use === 'ambulance');
  if (ambulance.every((r) => /mileage/i.test(r.display)) || !ambulance.some((r) => /mileage/i.test(r.display))) {
    fail('professional-procedures.json', 'ambulance', "needs a transport row and a mileage row ('mileage' in its display)");
  }
  needUses('dental.json', [...dental.values()], ['exam', 'cleaning', 'periodontal']);
  needUses('nucc-taxonomy.json', taxonomy, ['primary-care', 'specialist', 'dentist', 'pharmacist', 'hospital', 'clinic', 'pharmacy', 'dental-practice', 'ambulance']);

  const pricing = loadPricing(codeMapReader(dir));
  const priorAuth = loadPriorAuth(codeMapReader(dir));

  const base = { conditions, drugs, drugsByCondition, procedures, dental, drgs, pcs, taxonomy, denials, visitReasons, tables, pricing, priorAuth };
  const maps: CodeMaps = { ...base, clinical: loadClinicalCodeMaps(codeMapReader(dir), base) };
  checkCrossRefs(codeMapReader(dir), maps);
  cache.set(dir, maps);
  return maps;
}
