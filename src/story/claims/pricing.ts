import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DrugRow, ProcedureRow } from '../../codemaps/types.js';
import { packageRoot } from '../../util/paths.js';
import type { CoverageFact } from '../types.js';

/**
 * Claim prices (code-maps/pricing.json, each figure with its source): what Medicare pays for a
 * service, the book's published multiple of that, and a billed charge above it. All amounts in
 * dollars. Medicare rates: MS-DRG weight × IPPS standardized amount (inpatient), OPPS APC rates
 * (hospital outpatient), PFS RVUs × conversion factor (professional; the RVUs are estimates), CLFS
 * (labs), ambulance fee schedule; codes with none fall back to the code map's charge / 2.6.
 */
export interface PricingTable {
  ipps: { standardizedAmount: number; addOns: number };
  pfs: { conversionFactor: number };
  rvus: { codes: Record<string, number> };
  clfs: { codes: Record<string, number> };
  opps: { codes: Record<string, number> };
  ambulance: { codes: Record<string, number> };
  books: Record<Exclude<CoverageFact['planType'], 'dental'>, { hospital: number; professional: number; drug: number }>;
  charges: { hospital: number; professional: number; pharmacy: number };
  drugs: { genericPer30Days: number; brandPer30Days: number };
  fallback: { chargeToMedicare: number };
  /** Medicare-equivalent dollars of an outpatient line billed with a revenue code only. */
  revenueCodes: { codes: Record<string, number> };
  /** Share of an admission's MS-DRG payment each inpatient line kind carries, per unit (routine day = 1). */
  inpatientWeights: { codes: Record<string, number> };
}

/** Where a service is billed: a hospital (facility rates, UB-04) or a professional (PFS, CMS-1500). */
export type Setting = 'hospital' | 'professional';

let table: PricingTable | undefined;

/** The pricing table, read once from code-maps/pricing.json in the package. */
export function pricing(): PricingTable {
  table ??= JSON.parse(readFileSync(join(packageRoot(), 'code-maps', 'pricing.json'), 'utf8')) as PricingTable;
  return table;
}

/** The book's multiple of Medicare for a setting (commercial hospital 2.54, Medicaid professional 0.72 …); dental plans are priced apart (1). */
export function bookMultiple(planType: CoverageFact['planType'], setting: Setting | 'drug'): number {
  if (planType === 'dental') return 1;
  return pricing().books[planType][setting];
}

/** What Medicare pays for one unit of a procedure code in a setting, dollars. */
export function medicareRate(row: Pick<ProcedureRow, 'code' | 'charge' | 'use'>, setting: Setting): number {
  const t = pricing();
  const lab = t.clfs.codes[row.code];
  if (lab !== undefined) return lab;
  const ambulance = t.ambulance.codes[row.code];
  if (ambulance !== undefined) return ambulance;
  if (setting === 'hospital') {
    const opps = t.opps.codes[row.code];
    if (opps !== undefined) return opps;
  } else {
    const rvu = t.rvus.codes[row.code];
    if (rvu !== undefined) return rvu * t.pfs.conversionFactor;
  }
  return row.charge / t.fallback.chargeToMedicare;
}

/** Medicare's MS-DRG payment for an admission of this relative weight (CMS Table 5), dollars: weight × standardized amount × the average add-ons (capital, IME, DSH, outliers); the wage index is ignored. */
export function drgPayment(weight: number): number {
  const { standardizedAmount, addOns } = pricing().ipps;
  return (weight || 1) * standardizedAmount * addOns;
}

/** The allowed amount of one fill for a drug (generic or brand, by days supply), dollars, at Medicare Part D prices. */
export function drugFillPrice(drug: Pick<DrugRow, 'brand' | 'daysSupply'>): number {
  const t = pricing().drugs;
  return ((drug.brand ? t.brandPer30Days : t.genericPer30Days) * drug.daysSupply) / 30;
}

/** Billed charge / allowed for a setting: hospitals ~3.9, professionals ~2.3, pharmacies ~1.25. */
export function chargeRatio(setting: Setting | 'pharmacy'): number {
  return pricing().charges[setting];
}
