import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';

/** A chronic condition group the report counts: ICD-10-CM code prefixes (dots ignored). */
export interface ConditionGroup {
  key: string;
  label: string;
  icd10cmPrefixes: string[];
}

/** The groups of /work/shared/REALISM-TARGETS.md "Conditions" (CMS Chronic Conditions Warehouse groupings). */
export const CONDITION_GROUPS: readonly ConditionGroup[] = [
  { key: 'diabetes', label: 'diabetes', icd10cmPrefixes: ['E10', 'E11'] },
  { key: 'hypertension', label: 'hypertension', icd10cmPrefixes: ['I10', 'I11', 'I12', 'I13', 'I14', 'I15', 'I16'] },
  { key: 'hyperlipidaemia', label: 'hyperlipidaemia', icd10cmPrefixes: ['E78'] },
  { key: 'ckd', label: 'chronic kidney disease', icd10cmPrefixes: ['N18'] },
  { key: 'ischaemic-heart-disease', label: 'ischaemic heart disease', icd10cmPrefixes: ['I20', 'I21', 'I22', 'I23', 'I24', 'I25'] },
  { key: 'copd', label: 'COPD', icd10cmPrefixes: ['J44'] },
  { key: 'asthma', label: 'asthma', icd10cmPrefixes: ['J45'] },
  { key: 'depression', label: 'depression', icd10cmPrefixes: ['F32', 'F33'] },
  { key: 'heart-failure', label: 'heart failure', icd10cmPrefixes: ['I50'] },
  { key: 'osteoarthritis', label: 'osteoarthritis', icd10cmPrefixes: ['M15', 'M16', 'M17', 'M18', 'M19'] },
];

/** Bit mask (bit i = CONDITION_GROUPS[i]) of the groups an ICD-10-CM code falls in; 0 for none. */
export function icd10cmGroups(code: string): number {
  const bare = code.replace('.', '').toUpperCase();
  let mask = 0;
  CONDITION_GROUPS.forEach((g, i) => {
    if (g.icd10cmPrefixes.some((p) => bare.startsWith(p))) mask |= 1 << i;
  });
  return mask;
}

/**
 * SNOMED CT concept → group mask, from the SNOMED/ICD-10-CM pairs of code-maps/conditions.json and
 * code-maps/catalog/conditions.json (so an active Condition coded in SNOMED CT alone still counts).
 * Concepts outside those files are not known.
 */
export function snomedGroups(codeMapsDir = join(packageRoot(), 'code-maps')): Map<string, number> {
  const map = new Map<string, number>();
  for (const file of [join(codeMapsDir, 'conditions.json'), join(codeMapsDir, 'catalog', 'conditions.json')]) {
    if (!existsSync(file)) continue;
    const rows = (JSON.parse(readFileSync(file, 'utf8')) as { rows: { snomed?: { code: string }; icd10cm?: { code: string }[] }[] }).rows;
    for (const row of rows) {
      if (!row.snomed) continue;
      const mask = (row.icd10cm ?? []).reduce((m, c) => m | icd10cmGroups(c.code), 0);
      if (mask) map.set(row.snomed.code, (map.get(row.snomed.code) ?? 0) | mask);
    }
  }
  return map;
}
