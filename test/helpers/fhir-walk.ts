import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Coding, ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import type { CodeMaps } from '../../src/codemaps/types.js';
import { SYSTEMS, type SystemName } from '../../src/fhir/systems.js';

/** Every value under a key named `key`, anywhere in the resource. */
export function collect<T>(node: unknown, key: string, out: T[] = []): T[] {
  if (Array.isArray(node)) node.forEach((n) => collect(n, key, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(v as T);
      collect(v, key, out);
    }
  }
  return out;
}

export function codings(resource: Resource): Coding[] {
  return collect<Coding[]>(resource, 'coding').flat();
}

/** (system|code) pairs the code maps hold, for the systems whose codes come from code-maps/. */
export function codeMapCodes(maps: CodeMaps): { systems: Set<string>; codes: Set<string> } {
  const codes = new Set<string>();
  const add = (system: SystemName, code: string) => codes.add(`${SYSTEMS[system]}|${code}`);
  for (const c of maps.conditions.values()) {
    add('snomed', c.snomed.code);
    c.icd10cm.forEach((i) => add('icd10cm', i.code));
  }
  for (const d of maps.drugs.values()) {
    add('rxnorm', d.rxnorm.code);
    add('ndc', d.ndc.code);
  }
  for (const p of maps.procedures.values()) add(p.system, p.code);
  for (const d of maps.dental.values()) add('cdt', d.code);
  for (const d of maps.drgs.values()) add('msDrg', d.code);
  for (const p of maps.pcs.values()) add('icd10pcs', p.code);
  for (const t of maps.taxonomy) add('nucc', t.code);
  for (const v of maps.visitReasons.values()) add('icd10cm', v.icd10cm);
  for (const d of maps.denials) add('carc', d.carc);
  for (const table of maps.tables.values()) {
    for (const c of table.codes) codes.add(`${SYSTEMS[table.system as SystemName]}|${c.code}`);
  }
  const systems = new Set([...codes].map((c) => c.slice(0, c.lastIndexOf('|'))));
  return { systems, codes };
}

/**
 * Every string in every JSON file under code-maps/ (catalog/ included): the clinical tables have shapes of their own, so the
 * test of "no code outside code-maps" checks clinical codes against this vocabulary.
 */
export function codeMapVocabulary(dir = join(process.cwd(), 'code-maps')): Set<string> {
  const words = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') words.add(v);
    else if (typeof v === 'number') words.add(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  // code-maps/catalog/ too: the generator's conditions, drugs, labs, MS-DRGs, ICD-10-PCS, HCPCS and CVX.
  const read = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) read(join(d, e.name));
      else if (e.name.endsWith('.json')) walk(JSON.parse(readFileSync(join(d, e.name), 'utf8')));
    }
  };
  read(dir);
  return words;
}

export function cents(value: number | undefined): number {
  return Math.round((value ?? 0) * 100);
}

/** Adjudication amounts of one item (or the header totals) by category code. */
export function amountsByCategory(entries: { category?: { coding?: Coding[] }; amount?: { value?: number } }[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries ?? []) {
    const code = e.category?.coding?.[0]?.code;
    if (code && e.amount) out[code] = (out[code] ?? 0) + cents(e.amount.value);
  }
  return out;
}

export function supportingDate(eob: ExplanationOfBenefit, category: string): string | undefined {
  return eob.supportingInfo?.find((s) => s.category.coding?.some((c) => c.code === category))?.timingDate;
}
