import { isIcd10CmFormat, isIcd10PcsFormat, isNdc11, isValidVerhoeff } from '../util/check-digits.js';
import { MEASURE, SHARE, type Fields } from './fields.js';
import type { CodeMapReader } from './load.js';
import type { ConditionRow, DrgRow, DrugRow, PcsRow, ProcedureRow, Side, SourcedRow } from './types.js';

/**
 * The generator's conditions, drugs, MS-DRGs, ICD-10-PCS and HCPCS Level II rows, read from the curated
 * catalogs in code-maps/catalog/ (built by scripts/catalog/, see code-maps/catalog/README.md) and shaped
 * for the simulation. Everything is indexed here, once per load: the simulation never scans a table per member.
 */
export interface CatalogTables {
  conditions: Map<string, ConditionRow>;
  drugs: Map<string, DrugRow>;
  /** Condition key → the drug keys that treat it (catalog `drugsFor` matched against each drug's `conditions`). */
  drugsByCondition: Map<string, string[]>;
  drgs: Map<string, DrgRow>;
  /** By ICD-10-PCS code. */
  pcs: Map<string, PcsRow>;
  /** HCPCS Level II rows the conditions bill at visits, as professional-procedure rows (key = the code). */
  hcpcs: ProcedureRow[];
}

interface CatalogCondition extends SourcedRow {
  key: string;
  display: string;
  category: string;
  chronic: boolean;
  snomed: { code: string; display: string };
  icd10cm: { code: string; display: string }[];
  labs: string[];
  procedures: { icd10pcs: string[]; hcpcs: string[] };
  visitTests: string[];
  drugsFor: string[];
  drgs: string[];
  visitsPerYear: number;
  variantOf: { key: string; share: number } | null;
  ccw?: { name: string } | null;
}

interface CatalogDrug {
  key: string;
  rxnorm: { code: string; display: string; tty: string };
  ndc: { code: string; display: string };
  ingredient: string;
  therapeuticClass: string;
  uspCategory: string;
  chronic: boolean;
  daysSupply: number;
  quantity: number;
  quantityUnit: 'EA' | 'ML';
  refills: number;
  brand: boolean;
  conditions: string[];
  source: { ndc: string; rxnorm: string };
}

interface CatalogDrg extends SourcedRow {
  code: string;
  mdc: string | null;
  type: string;
  title: string;
  weight: number;
  gmlos: number;
}

interface CatalogPcs extends SourcedRow {
  key: string;
  code: string;
  display: string;
  axes: { bodyPart: string };
  drgs: string[];
}

interface CatalogHcpcs extends SourcedRow {
  code: string;
  shortDescriptor: string;
  category: string;
  paymentRate: number | null;
}

/**
 * Billed charge of one admission per unit of DRG weight, dollars: a best-effort stand-in (about the
 * national average charge per case-mix unit) until the cost model prices stays from the weight itself.
 */
const CHARGE_PER_DRG_WEIGHT = 38_000;
/**
 * An MS-DRG relative weight (1 = the average stay): CMS's heaviest, FY2026 Table 5, is 43.2. Past 100 it is not one,
 * and the stay's charge and payment (weight × dollars) ran to 1e304 dollars at a weight of 1e300, Infinity beyond.
 */
const DRG_WEIGHT = 'number 0..100';

/** Side an ICD-10-CM or ICD-10-PCS title names, if any ("…, right knee", "Knee Joint, Left"). */
export function sideOf(text: string): Side | undefined {
  if (/\bright\b/i.test(text)) return 'right';
  if (/\bleft\b/i.test(text)) return 'left';
  return undefined;
}

/**
 * A drug fill's typical cost, dollars: a best-effort estimate (generic about $10, brand about $550 per
 * 30 days, never under $4), not a published price; the cost model may price fills by class instead.
 */
export function estimatedFillCost(brand: boolean, daysSupply: number): number {
  return Math.max(4, Math.round(((brand ? 550 : 10) * daysSupply) / 30));
}

const HCPCS_USE: Record<string, ProcedureRow['use']> = {
  'drug-injectable': 'injection', 'drug-inhalation-oral': 'injection', supply: 'supply', dme: 'supply', orthotic: 'supply', screening: 'therapy',
};
const HCPCS_REVENUE: Record<string, string> = { injection: '0636', supply: '0270', therapy: '0900' };

/** What the loader and the story read of a catalog drug row (src/codemaps/fields.ts). */
// NCPDP D.0: days supply (405-D5) a whole number of days ≥ 1, quantity dispensed (442-E7) a decimal above 0 (pens
// are filled by the mL), refills authorized (415-DF) 0-99.
const DRUG_FIELDS: Fields = {
  key: 'text', rxnorm: 'coded', ndc: 'coded', ingredient: 'text', therapeuticClass: 'text', chronic: 'boolean', daysSupply: 'whole 1..',
  quantity: 'number >0', quantityUnit: 'text', refills: 'whole 0..99', brand: 'boolean', conditions: 'texts', source: 'object', 'source.ndc': 'text',
  'source.rxnorm': 'text',
};
const CONDITION_FIELDS: Fields = {
  key: 'text', display: 'text', category: 'text', chronic: 'boolean', snomed: 'coded', icd10cm: 'codeds+', labs: 'texts', procedures: 'object',
  'procedures.icd10pcs': 'texts', 'procedures.hcpcs': 'texts', visitTests: 'texts', drugsFor: 'texts', drgs: 'texts', visitsPerYear: 'number 0..',
  variantOf: 'object?', 'variantOf.key': 'text', 'variantOf.share': SHARE,
};
/** A catalog lab: its test, its group (billed as procedure `lab-<group>`), its unit and normal band. */
export const CATALOG_LAB_FIELDS: Fields = { key: 'text', loinc: 'coded', group: 'text', unit: 'text', normal: 'object', 'normal.low': MEASURE, 'normal.high': MEASURE, abnormal: 'object?' };

/** Reads code-maps/catalog/*.json; a broken row is a one-line UserError naming the file and the row. */
export function loadCatalog(reader: CodeMapReader, procedures: ReadonlyMap<string, ProcedureRow>): CatalogTables {
  const { rows, fail } = reader;
  const drugFile = 'catalog/drugs.json';
  const drugs = new Map<string, DrugRow>();
  const treating = new Map<string, string[]>();
  for (const d of rows(drugFile, DRUG_FIELDS, true) as unknown as CatalogDrug[]) {
    if (drugs.has(d.key)) fail(drugFile, d.key, 'duplicate key', 'key', d);
    if (!isNdc11(d.ndc.code)) fail(drugFile, d.key, `NDC ${d.ndc.code} is not 11 digits`, 'ndc.code', d);
    if (!/^\d+$/.test(d.rxnorm.code)) fail(drugFile, d.key, `RxNorm ${d.rxnorm.code} is not an RxCUI`, 'rxnorm.code', d);
    drugs.set(d.key, {
      key: d.key,
      rxnorm: { code: d.rxnorm.code, display: d.rxnorm.display },
      ndc: d.ndc,
      brand: d.brand,
      daysSupply: d.daysSupply,
      quantity: d.quantity,
      quantityUnit: d.quantityUnit,
      refills: d.refills,
      chronic: d.chronic,
      ingredient: d.ingredient,
      therapeuticClass: d.therapeuticClass,
      conditions: d.conditions,
      cost: estimatedFillCost(d.brand, d.daysSupply),
      source: `NDC: ${d.source.ndc}; RxNorm: ${d.source.rxnorm}`,
      sourceBySystem: d.source,
    });
    for (const c of d.conditions) treating.set(c, [...(treating.get(c) ?? []), d.key]);
  }

  const drgs = new Map<string, DrgRow>();
  // Weight and GMLOS are 0 for the ungroupable MS-DRGs 998 and 999 (CMS Table 5), so 0 is allowed.
  const drgRows = rows<CatalogDrg>('catalog/ms-drg.json', { code: 'text', title: 'text', weight: DRG_WEIGHT, gmlos: 'number 0..' }, true);
  reader.unique('catalog/ms-drg.json', drgRows, (g) => g.code, 'row', 'code');
  for (const g of drgRows) {
    drgs.set(g.code, { code: g.code, display: g.title, los: g.gmlos, weight: g.weight, charge: Math.round(g.weight * CHARGE_PER_DRG_WEIGHT), source: g.source });
  }

  const pcsByKey = new Map<string, CatalogPcs>();
  const pcs = new Map<string, PcsRow>();
  const pcsRows = rows<CatalogPcs>('catalog/icd10pcs.json', { key: 'text', code: 'text', display: 'text', axes: 'object', 'axes.bodyPart': 'text', drgs: 'texts' });
  reader.unique('catalog/icd10pcs.json', pcsRows, (p) => p.key, 'row', 'key');
  reader.unique('catalog/icd10pcs.json', pcsRows, (p) => p.code, 'row', 'code');
  for (const p of pcsRows) {
    if (!isIcd10PcsFormat(p.code)) fail('catalog/icd10pcs.json', p.key, `'${p.code}' is not an ICD-10-PCS code`, 'code', p);
    p.drgs.forEach((g, i) => drgs.has(g) || fail('catalog/icd10pcs.json', p.key, `names MS-DRG '${g}', which ms-drg.json does not have`, ['drgs', i], p));
    pcsByKey.set(p.key, p);
    const side = sideOf(p.axes.bodyPart);
    pcs.set(p.code, { key: p.code, code: p.code, display: p.display, drgs: p.drgs, ...(side ? { side } : {}), source: p.source });
  }

  // HCPCS Level II codes the conditions bill; a code the procedures table already has keeps its row there.
  const byCode = new Map([...procedures.values()].map((r) => [r.code, r.key]));
  const hcpcsList = rows<CatalogHcpcs>('catalog/hcpcs.json', { code: 'text', shortDescriptor: 'text', category: 'text', paymentRate: 'number 0..?' });
  reader.unique('catalog/hcpcs.json', hcpcsList, (h) => h.code, 'row', 'code');
  const hcpcsRows = new Map(hcpcsList.map((h) => [h.code, h]));
  const hcpcs: ProcedureRow[] = [];
  const hcpcsKey = (code: string): string => {
    const known = byCode.get(code);
    if (known) return known;
    const h = hcpcsRows.get(code)!;
    const use = HCPCS_USE[h.category] ?? 'supply';
    const charge = h.paymentRate ? Math.max(5, Math.round(h.paymentRate * 2)) : use === 'injection' ? 60 : 45;
    hcpcs.push({ key: code, system: 'hcpcs', code, display: h.shortDescriptor, licensed: false, use, charge, revenue: HCPCS_REVENUE[use], source: h.source });
    byCode.set(code, code);
    return code;
  };

  // A condition's labs are ordered as their catalog group's test (procedure `lab-<group>`, see clinical-labs-vitals.ts).
  const labRows = rows<{ key: string; group: string } & SourcedRow>('catalog/labs.json', CATALOG_LAB_FIELDS);
  reader.unique('catalog/labs.json', labRows, (l) => l.key, 'row', 'key');
  const labGroup = new Map(labRows.map((l) => [l.key, `lab-${l.group}`]));
  const file = 'catalog/conditions.json';
  const conditions = new Map<string, ConditionRow>();
  const drugsByCondition = new Map<string, string[]>();
  for (const c of rows<CatalogCondition>(file, CONDITION_FIELDS, true)) {
    if (conditions.has(c.key)) fail(file, c.key, 'duplicate key', 'key', c);
    if (!isValidVerhoeff(c.snomed.code)) fail(file, c.key, `SNOMED CT id ${c.snomed.code} fails its Verhoeff check digit`, 'snomed.code', c);
    if (!c.icd10cm.length) fail(file, c.key, 'needs at least one ICD-10-CM code', 'icd10cm', c);
    c.icd10cm.forEach((icd, i) => isIcd10CmFormat(icd.code) || fail(file, c.key, `'${icd.code}' is not an ICD-10-CM code`, ['icd10cm', i, 'code'], c));
    c.drgs.forEach((g, i) => drgs.has(g) || fail(file, c.key, `names MS-DRG '${g}', which ms-drg.json does not have`, ['drgs', i], c));
    c.visitTests.forEach((t, i) => procedures.has(t) || fail(file, c.key, `names visit test '${t}', which professional-procedures.json does not have`, ['visitTests', i], c));
    const pcsCodes = c.procedures.icd10pcs.map((k, i) => pcsByKey.get(k)?.code ?? fail(file, c.key, `names ICD-10-PCS '${k}', which icd10pcs.json does not have`, ['procedures', 'icd10pcs', i], c));
    c.procedures.hcpcs.forEach((h, i) => hcpcsRows.has(h) || byCode.has(h) || fail(file, c.key, `names HCPCS '${h}', which hcpcs.json does not have`, ['procedures', 'hcpcs', i], c));
    const labTests = [...new Set(c.labs.map((l, i) => labGroup.get(l) ?? fail(file, c.key, `names lab '${l}', which catalog/labs.json does not have`, ['labs', i], c)))];
    for (const t of labTests) if (!procedures.has(t)) fail(file, c.key, `its labs are billed as '${t}', which professional-procedures.json does not have`, ['labs', c.labs.findIndex((l) => labGroup.get(l) === t)], c);
    const drugKeys = [...new Set(c.drugsFor.flatMap((k, i) => treating.get(k) ?? fail(file, c.key, `no drug treats '${k}'`, ['drugsFor', i], c)))];
    drugsByCondition.set(c.key, drugKeys);
    conditions.set(c.key, {
      key: c.key,
      display: c.display,
      category: c.category,
      snomed: { code: c.snomed.code, display: c.snomed.display },
      icd10cm: c.icd10cm.map((i) => {
        const side = sideOf(i.display);
        return side ? { ...i, side } : i;
      }),
      drugs: drugKeys,
      visitsPerYear: c.visitsPerYear,
      procedures: [...new Set([...c.visitTests, ...labTests, ...c.procedures.hcpcs.map(hcpcsKey)])],
      labs: c.labs,
      drgs: c.drgs,
      pcs: pcsCodes,
      chronic: c.chronic,
      ...(c.ccw ? { ccw: c.ccw.name } : {}),
      variants: [],
      source: c.source,
    });
  }
  // A head condition's more specific forms, with the share of its members who have each instead.
  const shares = new Map<string, number>();
  for (const c of rows<CatalogCondition>(file)) {
    if (!c.variantOf) continue;
    const head = conditions.get(c.variantOf.key) ?? fail(file, c.key, `is a variant of '${c.variantOf.key}', which the table does not have`, 'variantOf.key', c);
    head.variants.push({ row: conditions.get(c.key)!, share: c.variantOf.share });
    // At the share of the variant that takes the head's total to 1 (the shares are checked in file order).
    const total = (shares.get(head.key) ?? 0) + c.variantOf.share;
    if (total >= 1) fail(file, head.key, 'its variants share 1 or more of its members', 'variantOf.share', c);
    shares.set(head.key, total);
  }
  return { conditions, drugs, drugsByCondition, drgs, pcs, hcpcs };
}
