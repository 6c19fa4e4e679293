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
/**
 * The largest figure each entry can mean, so that a misplaced decimal point is refused rather than priced into every
 * claim (like catalog.ts's MS-DRG weights): `[largest, what it is]`, the largest well above any real one.
 */
const DOLLARS_PER_LINE: Bound = [1_000_000, 'dollars for one line; no Medicare fee-schedule amount of one service comes near a million'];
const MULTIPLE: Bound = [10, 'a multiple of Medicare; the highest commercial hospital multiples RAND reports (Round 5.1, 2024) are about 3×'];
const CHARGE_RATIO: Bound = [20, 'billed charge ÷ the allowed amount; hospitals bill about 3–4× what Medicare pays, physicians about 2–2.5× (this file)'];
const SCALARS: Record<string, Record<string, Bound>> = {
  ipps: {
    standardizedAmount: [50_000, 'dollars per unit of MS-DRG weight; the FY2027 amount is $6,848 (this file)'],
    addOns: [3, 'a multiple of the operating DRG payment; capital, IME, DSH and outliers add about 18% on average (this file)'],
  },
  pfs: { conversionFactor: [100, 'dollars per RVU; the PFS conversion factor has stayed between about $31 and $39 since 1992 (CY2026 $33.4009)'] },
  charges: { hospital: CHARGE_RATIO, professional: CHARGE_RATIO, pharmacy: CHARGE_RATIO },
  drugs: { genericPer30Days: DOLLARS_PER_LINE, brandPer30Days: DOLLARS_PER_LINE },
  fallback: { chargeToMedicare: CHARGE_RATIO },
};
/**
 * Total RVUs of one service (work + practice expense + malpractice). The heaviest in the CMS PFS are the transplant
 * codes at about 150 total RVUs (heart-lung transplant, CPT 33935: work RVUs about 92); the PFS relative value file is
 * not in ../shared/code-sources and was not re-read here, so the bound, 200, leaves room.
 */
const TOTAL_RVUS: Bound = [200, 'total RVUs of one service; the heaviest in the CMS PFS, the transplant codes, are about 150'];
const CODE_TABLES: Record<string, [RegExp, Bound]> = {
  rvus: [PROCEDURE_CODE, TOTAL_RVUS],
  clfs: [PROCEDURE_CODE, DOLLARS_PER_LINE],
  opps: [PROCEDURE_CODE, DOLLARS_PER_LINE],
  ambulance: [PROCEDURE_CODE, DOLLARS_PER_LINE],
  revenueCodes: [REVENUE_CODE, DOLLARS_PER_LINE],
  inpatientWeights: [REVENUE_CODE, [100, 'a share of the MS-DRG payment per unit, a routine day being 1']],
};
/** The largest value an entry can mean and what it is, for the message. */
type Bound = readonly [largest: number, meaning: string];
const BOOKS = ['commercial', 'medicare-advantage', 'medicaid'] as const;

/**
 * Reads and checks code-maps/pricing.json: every section and book with a source, every figure a
 * positive number no larger than its meaning allows (SCALARS, CODE_TABLES), codes of the right form (CPT/HCPCS,
 * 4-digit revenue codes). A problem is a one-line UserError naming the file, the entry's line:column and the entry
 * (`code-maps/pricing.json:21:16: 'rvus.codes.99213': 2750 is above 200: total RVUs of one service; …`).
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
  const positive = (key: string, value: unknown, [largest, meaning]: Bound) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(key, `expected a positive number, got ${JSON.stringify(value)}`);
    if ((value as number) > largest) fail(key, `${value} is above ${largest.toLocaleString('en-US')}: ${meaning}`);
  };
  for (const [name, fields] of Object.entries(SCALARS)) {
    const s = section(name);
    for (const [f, bound] of Object.entries(fields)) positive(`${name}.${f}`, s[f], bound);
  }
  for (const [name, [pattern, bound]] of Object.entries(CODE_TABLES)) {
    const codes = section(name).codes;
    if (!isObject(codes)) fail(`${name}.codes`, 'expected an object of code → number');
    for (const [code, value] of Object.entries(codes as Record<string, unknown>)) {
      if (!pattern.test(code)) fail(`${name}.codes.${code}`, `'${code}' is not a ${pattern === REVENUE_CODE ? 'NUBC revenue' : 'CPT or HCPCS'} code`);
      positive(`${name}.codes.${code}`, value, bound);
    }
  }
  const books = raw.books;
  if (!isObject(books)) fail('books', 'missing section');
  for (const book of BOOKS) {
    const b = (books as Record<string, unknown>)[book];
    if (!isObject(b)) fail(`books.${book}`, 'missing book');
    const multiples = b as Record<string, unknown>;
    if (typeof multiples.source !== 'string' || !multiples.source) fail(`books.${book}`, 'has no source');
    for (const f of ['hospital', 'professional', 'drug']) positive(`books.${book}.${f}`, multiples[f], MULTIPLE);
  }
  return raw as unknown as PricingTable;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
