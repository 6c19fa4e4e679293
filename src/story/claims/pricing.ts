import type { PricingTable } from '../../codemaps/pricing.js';
import type { DrugRow, ProcedureRow } from '../../codemaps/types.js';
import type { CoverageFact } from '../types.js';

/**
 * Claim prices from the code maps' pricing table (code-maps/pricing.json, loaded and checked by
 * src/codemaps/pricing.ts): what Medicare pays for a service, the book's published multiple of
 * that, and a billed charge above it. All amounts in dollars.
 */

/** Where a service is billed: a hospital (facility rates, UB-04) or a professional (PFS, CMS-1500). */
export type Setting = 'hospital' | 'professional';

/** The book's multiple of Medicare for a setting (commercial hospital 2.54, Medicaid professional 0.72 …); dental plans are priced apart (1). */
export function bookMultiple(t: PricingTable, planType: CoverageFact['planType'], setting: Setting | 'drug'): number {
  if (planType === 'dental') return 1;
  return t.books[planType][setting];
}

/** What Medicare pays for one unit of a procedure code in a setting, dollars. */
export function medicareRate(t: PricingTable, row: Pick<ProcedureRow, 'code' | 'charge' | 'use'>, setting: Setting): number {
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
export function drgPayment(t: PricingTable, weight: number): number {
  const { standardizedAmount, addOns } = t.ipps;
  return (weight || 1) * standardizedAmount * addOns;
}

/** The allowed amount of one fill for a drug (generic or brand, by days supply), dollars, at Medicare Part D prices. */
export function drugFillPrice(t: PricingTable, drug: Pick<DrugRow, 'brand' | 'daysSupply'>): number {
  const d = t.drugs;
  return ((drug.brand ? d.brandPer30Days : d.genericPer30Days) * drug.daysSupply) / 30;
}

/** Billed charge / allowed for a setting: hospitals ~3.9, professionals ~2.3, pharmacies ~1.25. */
export function chargeRatio(t: PricingTable, setting: Setting | 'pharmacy'): number {
  return t.charges[setting];
}
