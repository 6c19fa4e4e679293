import { drugFillPrice } from './claims/pricing.js';
import type { CodeMaps, DrugRow } from '../codemaps/types.js';
import type { DrugTier } from '../profile/pharmacy-tiers.js';

/**
 * The payer's formulary: one entry per RxNorm drug of the catalog (code-maps/catalog/drugs.json), the
 * level at which formularies list drugs (CMS formulary files key on the RXCUI). Every NDC package the
 * pharmacy claims fill belongs to one entry, and the claim's tier is the entry's. Pure: derived from
 * the catalog and the pricing table, no randomness.
 */
export interface FormularyEntry {
  rxnorm: DrugRow['rxnorm'];
  /** The RxNorm dose form of the drug's name ('Oral Tablet', 'Pen Injector' …). */
  doseForm: string;
  /** Catalog keys of the packages (NDCs) of this drug. */
  drugKeys: string[];
  tier: DrugTier;
  priorAuthorization: boolean;
  stepTherapy: boolean;
  /** Most units a day the plan pays for, when it limits the quantity. */
  quantityLimit?: { perDay: number; unit: DrugRow['quantityUnit'] };
  /** Some package is a maintenance drug (filled for 90 days at retail or by mail). */
  chronic: boolean;
}

/**
 * CMS's specialty-tier cost threshold for 2025: a drug whose 30-day supply costs more than $950 may
 * be placed on the specialty tier (CMS, CY 2025 Rate Announcement, Part D specialty tier threshold).
 */
export const SPECIALTY_THRESHOLD_PER_30_DAYS = 950;

/**
 * Tier, prior authorization, step therapy and quantity limit of one drug, from the catalog rows of its
 * RXCUI (`rows`) and the whole catalog (`all`), following the CMS Part D five-tier model:
 * - a drug with a generic package is a generic: preferred (tier 1) when it is a maintenance drug,
 *   else generic (tier 2) — generic substitution fills a brand package of it at the generic tier;
 * - a brand-only drug costing more than the specialty threshold a month is specialty (tier 5);
 * - else a preferred brand (tier 3), or a non-preferred brand (tier 4) when a generic of its
 *   therapeutic class is on the formulary (the generic is the preferred alternative).
 * Prior authorization: non-preferred brands and specialty drugs, and GLP-1 receptor agonists (payers
 * ask for the type 2 diabetes diagnosis). Step therapy: non-preferred brands (try the generic of the
 * class first) and brand antidiabetics (metformin first, ADA Standards of Care). Quantity limits: the
 * controlled and safety-limited classes (opioids, benzodiazepines, sleep agents, ADHD stimulants)
 * and GLP-1 injectables, at the catalog's typical daily quantity.
 */
export function formularyRule(rows: readonly DrugRow[], all: Iterable<DrugRow>, pricing: CodeMaps['pricing']): Pick<FormularyEntry, 'tier' | 'priorAuthorization' | 'stepTherapy' | 'quantityLimit'> {
  const first = rows[0];
  if (!first) throw new Error('formularyRule: no catalog rows');
  const generic = rows.some((r) => !r.brand);
  const chronic = rows.some((r) => r.chronic);
  let tier: DrugTier;
  if (generic) tier = chronic ? 'preferred-generic' : 'generic';
  else if (drugFillPrice(pricing, { brand: true, daysSupply: 30 }) > SPECIALTY_THRESHOLD_PER_30_DAYS) tier = 'specialty';
  else tier = [...all].some((r) => !r.brand && r.therapeuticClass === first.therapeuticClass) ? 'non-preferred-brand' : 'preferred-brand';
  const glp1 = first.therapeuticClass.includes('GLP-1');
  const priorAuthorization = tier === 'non-preferred-brand' || tier === 'specialty' || glp1;
  const stepTherapy = tier === 'non-preferred-brand' || (!generic && first.therapeuticClass.startsWith('Antidiabetic Agents'));
  const limited = glp1 || QUANTITY_LIMITED.some((re) => re.test(first.therapeuticClass));
  const perDay = Math.max(...rows.map((r) => r.quantity / r.daysSupply));
  return {
    tier,
    priorAuthorization,
    stepTherapy,
    ...(limited ? { quantityLimit: { perDay: Math.round(perDay * 100) / 100, unit: first.quantityUnit } } : {}),
  };
}

/** USP classes whose drugs plans limit in quantity (DEA schedules II–IV, and CDC's opioid prescribing guideline). */
const QUANTITY_LIMITED = [/^Opioid Analgesics/, /Benzodiazepines/, /^Sleep Disorder Agents/, /Attention Deficit Hyperactivity Disorder Agents/];

const CACHE = new WeakMap<CodeMaps, Map<string, FormularyEntry>>();

/** The formulary of the catalog, RXCUI → entry, in catalog order (computed once per code maps). */
export function formularyOf(codeMaps: CodeMaps): ReadonlyMap<string, FormularyEntry> {
  let entries = CACHE.get(codeMaps);
  if (entries) return entries;
  const byRxcui = new Map<string, DrugRow[]>();
  for (const d of codeMaps.drugs.values()) byRxcui.set(d.rxnorm.code, [...(byRxcui.get(d.rxnorm.code) ?? []), d]);
  entries = new Map();
  for (const [rxcui, rows] of byRxcui) {
    const first = rows[0]!;
    entries.set(rxcui, {
      rxnorm: first.rxnorm,
      doseForm: doseFormOf(first.rxnorm.display),
      drugKeys: rows.map((r) => r.key),
      chronic: rows.some((r) => r.chronic),
      ...formularyRule(rows, codeMaps.drugs.values(), codeMaps.pricing),
    });
  }
  CACHE.set(codeMaps, entries);
  return entries;
}

/** The formulary entry of a catalog drug package. */
export function formularyEntryOf(codeMaps: CodeMaps, drug: DrugRow): FormularyEntry {
  const entry = formularyOf(codeMaps).get(drug.rxnorm.code);
  if (!entry) throw new Error(`formulary has no RXCUI ${drug.rxnorm.code} (${drug.key})`);
  return entry;
}

/** The dose form at the end of an RxNorm clinical drug name ('amlodipine 5 MG Oral Tablet' → 'Oral Tablet'); brand names in brackets dropped. */
export function doseFormOf(rxnormName: string): string {
  const name = rxnormName.replace(/\s*\[[^\]]*\]$/, '');
  const m = /\d\s*(?:MG|ML|MCG|UNT|MEQ|%)(?:\/(?:ML|HR|ACTUAT))?\s+([A-Z][A-Za-z-]*(?:\s+[A-Z][A-Za-z-]*)*)$/.exec(name);
  if (!m) throw new Error(`no dose form in RxNorm name '${rxnormName}'`);
  return m[1]!;
}
