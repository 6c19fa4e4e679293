import type { PlanType } from './types.js';
import type { CodeMapReader } from './load.js';

/** The price multiples of one book, × Medicare: hospital (facility), professional and drug. */
export interface BookMultiples {
  hospital: number;
  professional: number;
  drug: number;
}

/**
 * Claim prices (code-maps/pricing.json, each figure with its source), in dollars: Medicare rates —
 * MS-DRG weight × IPPS standardized amount × add-ons (inpatient), OPPS APC rates (hospital outpatient),
 * PFS RVUs × conversion factor (professional; the RVUs are estimates), CLFS (labs), ambulance fee
 * schedule; codes with none fall back to the code map's charge / `fallback.chargeToMedicare` — each
 * book's published multiple of Medicare, billed charge / allowed ratios and drug prices by class.
 */
export interface PricingTable {
  ipps: { standardizedAmount: number; addOns: number };
  pfs: { conversionFactor: number };
  /** Total RVUs by CPT/HCPCS code. */
  rvus: { codes: Readonly<Record<string, number>> };
  clfs: { codes: Readonly<Record<string, number>> };
  opps: { codes: Readonly<Record<string, number>> };
  ambulance: { codes: Readonly<Record<string, number>> };
  books: Readonly<Record<Exclude<PlanType, 'dental'>, BookMultiples>>;
  charges: { hospital: number; professional: number; pharmacy: number };
  drugs: { genericPer30Days: number; brandPer30Days: number };
  fallback: { chargeToMedicare: number };
  /** Medicare-equivalent dollars of an outpatient line billed with a revenue code only, by NUBC revenue code. */
  revenueCodes: { codes: Readonly<Record<string, number>> };
  /** Share of an admission's MS-DRG payment each inpatient line kind carries, per unit (routine day = 1), by revenue code. */
  inpatientWeights: { codes: Readonly<Record<string, number>> };
}

const FILE = 'pricing.json';
const PROCEDURE_CODE = /^(\d{4}[0-9FTU]|[A-V]\d{4})$/;
const REVENUE_CODE = /^\d{4}$/;
const SCALARS: Record<string, readonly string[]> = {
  ipps: ['standardizedAmount', 'addOns'],
  pfs: ['conversionFactor'],
  charges: ['hospital', 'professional', 'pharmacy'],
  drugs: ['genericPer30Days', 'brandPer30Days'],
  fallback: ['chargeToMedicare'],
};
const CODE_TABLES: Record<string, RegExp> = { rvus: PROCEDURE_CODE, clfs: PROCEDURE_CODE, opps: PROCEDURE_CODE, ambulance: PROCEDURE_CODE, revenueCodes: REVENUE_CODE, inpatientWeights: REVENUE_CODE };
const BOOKS = ['commercial', 'medicare-advantage', 'medicaid'] as const;

/**
 * Reads and checks code-maps/pricing.json: every section and book with a source, every figure a
 * positive number, codes of the right form (CPT/HCPCS, 4-digit revenue codes). A problem is a
 * one-line UserError naming the file and the entry (`code-maps/pricing.json: 'opps.codes.99283': …`).
 */
export function loadPricing(reader: CodeMapReader): PricingTable {
  const raw = reader.read<Record<string, unknown>>(FILE);
  const fail = (key: string, problem: string): never => reader.fail(FILE, key, problem);
  const section = (name: string): Record<string, unknown> => {
    const s = raw[name];
    if (!isObject(s)) fail(name, 'missing section');
    const found = s as Record<string, unknown>;
    if (typeof found.source !== 'string' || !found.source) fail(name, 'has no source');
    return found;
  };
  const positive = (key: string, value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(key, `expected a positive number, got ${JSON.stringify(value)}`);
  };
  for (const [name, fields] of Object.entries(SCALARS)) {
    const s = section(name);
    for (const f of fields) positive(`${name}.${f}`, s[f]);
  }
  for (const [name, pattern] of Object.entries(CODE_TABLES)) {
    const codes = section(name).codes;
    if (!isObject(codes)) fail(`${name}.codes`, 'expected an object of code → number');
    for (const [code, value] of Object.entries(codes as Record<string, unknown>)) {
      if (!pattern.test(code)) fail(`${name}.codes.${code}`, `'${code}' is not a ${pattern === REVENUE_CODE ? 'NUBC revenue' : 'CPT or HCPCS'} code`);
      positive(`${name}.codes.${code}`, value);
    }
  }
  const books = raw.books;
  if (!isObject(books)) fail('books', 'missing section');
  for (const book of BOOKS) {
    const b = (books as Record<string, unknown>)[book];
    if (!isObject(b)) fail(`books.${book}`, 'missing book');
    const multiples = b as Record<string, unknown>;
    if (typeof multiples.source !== 'string' || !multiples.source) fail(`books.${book}`, 'has no source');
    for (const f of ['hospital', 'professional', 'drug']) positive(`books.${book}.${f}`, multiples[f]);
  }
  return raw as unknown as PricingTable;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
