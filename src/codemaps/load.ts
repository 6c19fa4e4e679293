import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEMS } from '../util/systems.js';
import { isIcd10CmFormat } from '../util/check-digits.js';
import { UserError } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import { loadCatalog } from './catalog.js';
import { loadClinicalCodeMaps } from './clinical.js';
import { loadPricing } from './pricing.js';
import { loadPriorAuth } from './prior-auth.js';
import type { CodeMaps, DenialRow, DentalRow, ProcedureRow, SimpleTable, SourcedRow, TaxonomyRow, VisitReasonRow } from './types.js';

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
    const list = read<{ rows: T[] } | null>(file)?.rows;
    if (!Array.isArray(list)) throw new UserError(`code-maps/${file}: expected a "rows" array`);
    list.forEach((row, i) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        throw new UserError(`code-maps/${file}: row ${i + 1} is not an object`);
      }
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

  const procedures = index<ProcedureRow>('professional-procedures.json', (r) => r.key);
  // Conditions, drugs, MS-DRGs, ICD-10-PCS: the curated catalogs; their HCPCS codes join the procedures.
  const { conditions, drugs, drugsByCondition, drgs, pcs, hcpcs } = loadCatalog(codeMapReader(dir), procedures);
  for (const row of hcpcs) procedures.set(row.key, row);
  const dental = index<DentalRow>('dental.json', (r) => r.key);
  const taxonomy = rows<TaxonomyRow>('nucc-taxonomy.json');
  const denials = rows<DenialRow>('denials.json');
  const visitReasons = index<VisitReasonRow>('visit-reasons.json', (r) => r.key);
  const tablesFile = read<{ tables: Record<string, SimpleTable> }>('tables.json');
  const tables = new Map(Object.entries(tablesFile.tables ?? {}));

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
  for (const [key, v] of visitReasons) if (!isIcd10CmFormat(v.icd10cm)) fail('visit-reasons.json', key, `'${v.icd10cm}' is not an ICD-10-CM code`);
  for (const [name, t] of tables) {
    if (!(t.system in SYSTEMS)) fail('tables.json', name, `unknown code system '${t.system}' (see src/fhir/systems.ts)`);
    if (!t.source) fail('tables.json', name, 'has no source');
  }
  // Hospital lines carry the procedure's revenue code with its display from tables.json: a code the table lacks
  // would stop a run mid-generation (lines.ts tableEntry) instead of here.
  const revenueCodes = new Set(tables.get('revenue')?.codes.map((c) => c.code));
  const catalogKeys = new Set(hcpcs.map((r) => r.key));
  for (const [key, p] of procedures) {
    const file = catalogKeys.has(key) ? 'catalog/hcpcs.json' : 'professional-procedures.json';
    if (p.revenue && !revenueCodes.has(p.revenue)) fail(file, key, `revenue code ${p.revenue} is not in tables.json's revenue table`);
  }

  const pricing = loadPricing(codeMapReader(dir));
  const priorAuth = loadPriorAuth(codeMapReader(dir));

  const base = { conditions, drugs, drugsByCondition, procedures, dental, drgs, pcs, taxonomy, denials, visitReasons, tables, pricing, priorAuth };
  const maps: CodeMaps = { ...base, clinical: loadClinicalCodeMaps(codeMapReader(dir), base) };
  cache.set(dir, maps);
  return maps;
}
