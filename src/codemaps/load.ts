import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEMS } from '../fhir/systems.js';
import { isIcd10CmFormat, isIcd10PcsFormat, isNdc11, isValidVerhoeff } from '../util/check-digits.js';
import { UserError } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import { loadClinicalCodeMaps } from './clinical.js';
import type {
  CodeMaps, Coded, ConditionRow, DenialRow, DentalRow, DrgRow, DrugRow, ProcedureRow, SimpleTable, SourcedRow, TaxonomyRow, VisitReasonRow,
} from './types.js';

const cache = new Map<string, CodeMaps>();

/** Reads one code-maps/ directory; every failure is a one-line UserError naming file and row. */
export interface CodeMapReader {
  read<T>(file: string): T;
  rows<T extends SourcedRow>(file: string): T[];
  index<T extends SourcedRow>(file: string, key: (row: T) => string): Map<string, T>;
  fail(file: string, key: string, problem: string): never;
}

export function codeMapReader(dir: string): CodeMapReader {
  const read = <T>(file: string): T => {
    try {
      return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
    } catch (error) {
      throw new UserError(`code-maps/${file}: cannot read (${(error as Error).message.split('\n')[0]})`);
    }
  };
  const rows = <T extends SourcedRow>(file: string) => {
    const list = read<{ rows: T[] }>(file).rows;
    if (!Array.isArray(list)) throw new UserError(`code-maps/${file}: expected a "rows" array`);
    list.forEach((row, i) => {
      if (!row.source) throw new UserError(`code-maps/${file}: row ${i + 1} has no source`);
    });
    return list;
  };
  const index = <T extends SourcedRow>(file: string, key: (row: T) => string) => {
    const map = new Map<string, T>();
    for (const row of rows<T>(file)) {
      const k = key(row);
      if (map.has(k)) throw new UserError(`code-maps/${file}: duplicate key '${k}'`);
      map.set(k, row);
    }
    return map;
  };
  const fail = (file: string, key: string, problem: string): never => {
    throw new UserError(`code-maps/${file}: '${key}': ${problem}`);
  };
  return { read, rows, index, fail };
}

/** Reads and indexes code-maps/ once per directory; a broken table is a one-line UserError naming file and row. */
export function loadCodeMaps(dir = join(packageRoot(), 'code-maps')): CodeMaps {
  const cached = cache.get(dir);
  if (cached) return cached;
  const { read, rows, index, fail } = codeMapReader(dir);

  const conditions = index<ConditionRow>('conditions.json', (r) => r.key);
  const drugs = index<DrugRow>('drugs.json', (r) => r.key);
  const procedures = index<ProcedureRow>('professional-procedures.json', (r) => r.key);
  const dental = index<DentalRow>('dental.json', (r) => r.key);
  const drgs = index<DrgRow>('ms-drg.json', (r) => r.code);
  const pcs = index<Coded & SourcedRow & { key: string }>('icd10pcs.json', (r) => r.key);
  const taxonomy = rows<TaxonomyRow>('nucc-taxonomy.json');
  const denials = rows<DenialRow>('denials.json');
  const visitReasons = index<VisitReasonRow>('visit-reasons.json', (r) => r.key);
  const tablesFile = read<{ tables: Record<string, SimpleTable> }>('tables.json');
  const tables = new Map(Object.entries(tablesFile.tables ?? {}));

  for (const [key, c] of conditions) {
    if (!isValidVerhoeff(c.snomed.code)) fail('conditions.json', key, `SNOMED CT id ${c.snomed.code} fails its Verhoeff check digit`);
    if (!c.icd10cm.length) fail('conditions.json', key, 'needs at least one ICD-10-CM code');
    for (const icd of c.icd10cm) if (!isIcd10CmFormat(icd.code)) fail('conditions.json', key, `'${icd.code}' is not an ICD-10-CM code`);
    for (const d of c.drugs) if (!drugs.has(d)) fail('conditions.json', key, `names drug '${d}', which drugs.json does not have`);
    for (const p of c.procedures) if (!procedures.has(p)) fail('conditions.json', key, `names procedure '${p}', which professional-procedures.json does not have`);
    for (const g of c.drgs) if (!drgs.has(g)) fail('conditions.json', key, `names MS-DRG '${g}', which ms-drg.json does not have`);
    for (const p of c.pcs) if (!pcs.has(p)) fail('conditions.json', key, `names ICD-10-PCS '${p}', which icd10pcs.json does not have`);
  }
  for (const [key, d] of drugs) {
    if (!isNdc11(d.ndc.code)) fail('drugs.json', key, `NDC ${d.ndc.code} is not 11 digits`);
    if (!/^\d+$/.test(d.rxnorm.code)) fail('drugs.json', key, `RxNorm ${d.rxnorm.code} is not an RxCUI`);
  }
  const procedureCodes = new Map<string, string>();
  for (const [key, p] of procedures) {
    const twin = procedureCodes.get(p.code);
    // Claim lines carry only the code, so each code must name one row (see procedureKeyOf).
    if (twin) fail('professional-procedures.json', key, `code ${p.code} is also row '${twin}'`);
    procedureCodes.set(p.code, key);
    const ok = p.system === 'cpt' ? /^\d{4}[0-9FTU]$/.test(p.code) : /^[A-V]\d{4}$/.test(p.code);
    if (!ok) fail('professional-procedures.json', key, `'${p.code}' is not a ${p.system.toUpperCase()} code`);
    if (p.system === 'cpt' && !p.licensed) fail('professional-procedures.json', key, 'CPT codes are licensed: set licensed: true');
  }
  for (const [key, d] of dental) if (!/^D\d{4}$/.test(d.code)) fail('dental.json', key, `'${d.code}' is not a CDT code`);
  for (const [key, p] of pcs) if (!isIcd10PcsFormat(p.code)) fail('icd10pcs.json', key, `'${p.code}' is not an ICD-10-PCS code`);
  for (const [key, v] of visitReasons) if (!isIcd10CmFormat(v.icd10cm)) fail('visit-reasons.json', key, `'${v.icd10cm}' is not an ICD-10-CM code`);
  for (const [name, t] of tables) {
    if (!(t.system in SYSTEMS)) fail('tables.json', name, `unknown code system '${t.system}' (see src/fhir/systems.ts)`);
    if (!t.source) fail('tables.json', name, 'has no source');
  }

  const base = { conditions, drugs, procedures, dental, drgs, pcs, taxonomy, denials, visitReasons, tables };
  const maps: CodeMaps = { ...base, clinical: loadClinicalCodeMaps(codeMapReader(dir), base) };
  cache.set(dir, maps);
  return maps;
}
