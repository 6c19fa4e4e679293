import type { Book } from './book.js';
import { CLAIM_TYPES, type ClaimType } from './claims.js';
import { CONDITION_GROUPS } from './conditions.js';
import type { MemberAggregate } from './members.js';

/** A member as the statistics see it: the aggregate placed in the window. */
export interface PlacedMember {
  id: string;
  book?: Book;
  /** Age in whole years at the window's end; undefined without a birth date. */
  age?: number;
  /** Member-years of exposure in the window (covered days / 365.25). */
  memberYears: number;
  /** Died inside the window. */
  died: boolean;
  data: MemberAggregate;
}

/** Who a statistic is measured on: a book (or all) and an optional age range (inclusive, at the window's end). */
export interface Population {
  book: Book | 'all';
  minAge?: number;
  maxAge?: number;
}

/** How a value reads: `share` is a fraction (printed as %), `dollars` in USD. */
export type Unit = 'per-claim' | 'per-member-year' | 'per-1000' | 'days' | 'share' | 'dollars';

/**
 * A measured value and what it was divided by (e.g. 812.4 member-years); value undefined when that is 0.
 * `n` is the members it rests on; `standardError` (in the value's unit) treats them as independent draws:
 * every statistic is a ratio Σy / Σx over members (lines / claims, claims / member-years, has-it / 1 …),
 * whose standard error is √(n/(n−1) · Σ(yᵢ − R·xᵢ)²) / Σx (the delta method for a ratio estimator, members
 * as clusters). Undefined with fewer than 2 members or no value.
 */
export interface Measurement {
  value?: number;
  denominator: number;
  denominatorUnit: 'claims' | 'member-years' | 'admissions' | 'members' | 'allowed dollars';
  n: number;
  standardError?: number;
}

/**
 * What a statistic counts, which the output must hold for a measurement to mean anything: claims of the
 * given types (C4BB EOB profiles), or diagnoses (a Condition, or an ICD-10-CM diagnosis on a claim). Data
 * without any reads n.a. (an output of the clinical record alone has no claims to count, not 0 per member).
 */
export interface Counts {
  claims?: readonly ClaimType[];
  diagnoses?: true;
}

export interface Statistic {
  id: string;
  label: string;
  unit: Unit;
  counts: Counts;
  measure: (members: readonly PlacedMember[]) => Measurement;
}

/** The claims of medical and pharmacy benefits (README: money and "no claim" leave dental apart). */
export const MEDICAL_AND_PHARMACY: readonly ClaimType[] = CLAIM_TYPES.filter((t) => t !== 'oral');

/** A claim type as the report names it. */
export const CLAIM_LABELS: Record<ClaimType, string> = {
  inpatient: 'inpatient',
  outpatient: 'outpatient institutional',
  professional: 'professional',
  pharmacy: 'pharmacy',
  oral: 'oral (dental)',
};

const medicalClaims = (m: PlacedMember) => CLAIM_TYPES.reduce((s, t, i) => s + (t === 'oral' ? 0 : m.data.claims[i]!), 0);

/** Σy / Σx (× scale) over the members, with its standard error (see Measurement). */
function ratioOf(
  members: readonly PlacedMember[], y: (m: PlacedMember) => number, x: (m: PlacedMember) => number, unit: Measurement['denominatorUnit'], scale = 1,
): Measurement {
  // Every sum smallest first: the same members read in another order (bundles or NDJSON) give the same bits.
  const sum = (values: number[]) => values.sort((a, b) => a - b).reduce((s, v) => s + v, 0);
  const sy = sum(members.map(y));
  const sx = sum(members.map(x));
  const n = members.length;
  if (!(sx > 0)) return { denominator: sx, denominatorUnit: unit, n };
  const r = sy / sx;
  const squares = sum(members.map((m) => (y(m) - r * x(m)) ** 2));
  const standardError = n >= 2 ? (Math.sqrt((squares * n) / (n - 1)) / sx) * scale : undefined;
  return { value: r * scale, denominator: sx, denominatorUnit: unit, n, ...(standardError === undefined ? {} : { standardError }) };
}

function perYear(members: readonly PlacedMember[], f: (m: PlacedMember) => number, scale = 1): Measurement {
  return ratioOf(members, f, (m) => m.memberYears, 'member-years', scale);
}

function share(members: readonly PlacedMember[], has: (m: PlacedMember) => boolean): Measurement {
  return ratioOf(members, (m) => (has(m) ? 1 : 0), () => 1, 'members');
}

/** Every statistic `report` computes, in the order it prints them (ids are what targets files name). */
export const STATISTICS: readonly Statistic[] = [
  ...CLAIM_TYPES.map((t, i): Statistic => ({
    id: `lines-per-claim.${t}`,
    label: `${CLAIM_LABELS[t]} lines per claim`,
    unit: 'per-claim',
    counts: { claims: [t] },
    measure: (ms) => ratioOf(ms, (m) => m.data.lines[i]!, (m) => m.data.claims[i]!, 'claims'),
  })),
  ...CLAIM_TYPES.map((t, i): Statistic => ({
    id: `claims-per-member-year.${t}`,
    label: `${CLAIM_LABELS[t]} claims per member-year`,
    unit: 'per-member-year',
    counts: { claims: [t] },
    measure: (ms) => perYear(ms, (m) => m.data.claims[i]!),
  })),
  { id: 'admissions-per-1000', label: 'inpatient admissions per 1,000 member-years', unit: 'per-1000', counts: { claims: ['inpatient'] }, measure: (ms) => perYear(ms, (m) => m.data.admissions.size, 1000) },
  {
    id: 'average-length-of-stay',
    label: 'average length of stay, days',
    unit: 'days',
    counts: { claims: ['inpatient'] },
    measure: (ms) => ratioOf(ms, (m) => [...m.data.admissions.values()].reduce((s, d) => s + d, 0), (m) => m.data.admissions.size, 'admissions'),
  },
  { id: 'er-visits-per-1000', label: 'ER visits per 1,000 member-years', unit: 'per-1000', counts: { claims: ['outpatient', 'professional'] }, measure: (ms) => perYear(ms, (m) => m.data.erDates.size, 1000) },
  { id: 'fills-30day-per-member-year', label: '30-day-equivalent fills per member-year', unit: 'per-member-year', counts: { claims: ['pharmacy'] }, measure: (ms) => perYear(ms, (m) => m.data.thirtyDayFills) },
  ...CONDITION_GROUPS.map((g, i): Statistic => ({
    id: `prevalence.${g.key}`,
    label: `${g.label} prevalence`,
    unit: 'share',
    counts: { diagnoses: true },
    measure: (ms) => share(ms, (m) => (m.data.conditions & (1 << i)) !== 0),
  })),
  {
    id: 'chronic-2plus-share',
    label: 'members with ≥ 2 chronic conditions',
    unit: 'share',
    counts: { diagnoses: true },
    measure: (ms) => share(ms, (m) => bitCount(m.data.conditions) >= 2),
  },
  { id: 'allowed-per-member-year', label: 'allowed per member-year (medical + pharmacy)', unit: 'dollars', counts: { claims: MEDICAL_AND_PHARMACY }, measure: (ms) => perYear(ms, (m) => m.data.allowed) },
  { id: 'dental-allowed-per-member-year', label: 'dental allowed per member-year', unit: 'dollars', counts: { claims: ['oral'] }, measure: (ms) => perYear(ms, (m) => m.data.dentalAllowed) },
  {
    id: 'member-share',
    label: 'member share of allowed',
    unit: 'share',
    counts: { claims: MEDICAL_AND_PHARMACY },
    measure: (ms) => ratioOf(ms, (m) => m.data.allowed - m.data.paid, (m) => m.data.allowed, 'allowed dollars'),
  },
  {
    id: 'no-claim-share',
    label: 'members with no medical or pharmacy claim in the window',
    unit: 'share',
    counts: { claims: MEDICAL_AND_PHARMACY },
    measure: (ms) => share(ms, (m) => medicalClaims(m) === 0),
  },
  { id: 'deaths-per-1000', label: 'deaths per 1,000 member-years', unit: 'per-1000', counts: {}, measure: (ms) => perYear(ms, (m) => (m.died ? 1 : 0), 1000) },
];

export const STATISTIC_IDS: ReadonlySet<string> = new Set(STATISTICS.map((s) => s.id));

/**
 * Whether a statistic is a medical one: it counts medical or pharmacy claims, or diagnoses. REALISM-TARGETS gives
 * the dental book none of these, so members of the dental book (dental coverage only) are left out of such a
 * statistic in every population, `all` included: their absence of medical claims is no measurement. The dental
 * statistics (oral claims, dental allowed) and deaths count every member.
 */
export function isMedical(s: Pick<Statistic, 'counts'>): boolean {
  return !!s.counts.diagnoses || !!s.counts.claims?.some((t) => t !== 'oral');
}

/** The members a statistic is measured on: without the dental book's for a medical statistic (isMedical). */
export function measuredOn(s: Pick<Statistic, 'counts'>, members: readonly PlacedMember[]): readonly PlacedMember[] {
  return isMedical(s) ? members.filter((m) => m.book !== 'dental') : members;
}

/** The members of a population that have exposure (members without any are left out of every statistic). */
export function select(members: readonly PlacedMember[], p: Population): PlacedMember[] {
  return members.filter(
    (m) =>
      m.memberYears > 0 &&
      (p.book === 'all' || m.book === p.book) &&
      (p.minAge === undefined || (m.age !== undefined && m.age >= p.minAge)) &&
      (p.maxAge === undefined || (m.age !== undefined && m.age <= p.maxAge)),
  );
}

function bitCount(n: number): number {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
}
