import type { ExplanationOfBenefit } from '@medplum/fhirtypes';

/** Claim types by C4BB EOB profile. */
export const CLAIM_TYPES = ['inpatient', 'outpatient', 'professional', 'pharmacy', 'oral'] as const;
export type ClaimType = (typeof CLAIM_TYPES)[number];

const PROFILE_TYPES: [RegExp, ClaimType][] = [
  [/C4BB-ExplanationOfBenefit-Inpatient-Institutional\b/, 'inpatient'],
  [/C4BB-ExplanationOfBenefit-Outpatient-Institutional\b/, 'outpatient'],
  [/C4BB-ExplanationOfBenefit-Professional-NonClinician\b/, 'professional'],
  [/C4BB-ExplanationOfBenefit-Pharmacy\b/, 'pharmacy'],
  [/C4BB-ExplanationOfBenefit-Oral\b/, 'oral'],
];

/** What the report keeps of one EOB (dates ISO YYYY-MM-DD; money in dollars). */
export interface ClaimFacts {
  type: ClaimType;
  /** Service start: billablePeriod.start, else the earliest item service date. */
  start?: string;
  lines: number;
  allowed: number;
  paid: number;
  /** The `memberliability` adjudication when the EOB has one, else allowed − paid (not below 0). */
  memberLiability: number;
  /** Inpatient: admission and discharge dates (admissionperiod, else billablePeriod). */
  admission?: { date: string; lengthOfStay: number };
  /** Professional or outpatient claim of an emergency-department visit. */
  emergency: boolean;
  /** Pharmacy: days supply / 30 (a fill without days supply counts as one). */
  thirtyDayFills: number;
  /** ICD-10-CM diagnosis codes. */
  diagnoses: string[];
}

const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const ED_CODES = /^(9928[1-5]|G038[0-4])$/;

/**
 * The claim type of an EOB: its C4BB profile in meta.profile; else EOB.type (and subType for
 * institutional claims). Undefined when neither tells.
 */
export function claimType(eob: ExplanationOfBenefit): ClaimType | undefined {
  for (const p of eob.meta?.profile ?? []) for (const [re, type] of PROFILE_TYPES) if (re.test(p)) return type;
  const type = eob.type?.coding?.find((c) => c.code)?.code;
  if (type === 'institutional') {
    const sub = eob.subType?.coding?.find((c) => c.code)?.code;
    return sub === 'inpatient' || sub === 'outpatient' ? sub : undefined;
  }
  return type === 'professional' || type === 'pharmacy' || type === 'oral' ? type : undefined;
}

const day = (s: string | undefined) => s?.slice(0, 10);

/** Facts of one EOB, or undefined when it is not of a known claim type. */
export function claimFacts(eob: ExplanationOfBenefit): ClaimFacts | undefined {
  const type = claimType(eob);
  if (!type) return undefined;
  const items = eob.item ?? [];
  const itemDates = items.flatMap((i) => [day(i.servicedDate), day(i.servicedPeriod?.start)]).filter((d): d is string => !!d).sort();
  const start = day(eob.billablePeriod?.start) ?? itemDates[0];
  const facts: ClaimFacts = {
    type,
    start,
    lines: items.length,
    allowed: amount(eob, 'eligible'),
    paid: amount(eob, 'benefit'),
    memberLiability: 0,
    emergency: false,
    thirtyDayFills: 0,
    diagnoses: (eob.diagnosis ?? []).flatMap((d) => (d.diagnosisCodeableConcept?.coding ?? []).filter((c) => c.system === ICD10CM && c.code).map((c) => c.code as string)),
  };
  facts.memberLiability = hasAdjudication(eob, 'memberliability') ? amount(eob, 'memberliability') : Math.max(0, facts.allowed - facts.paid);
  const info = (code: string) => (eob.supportingInfo ?? []).find((s) => s.category?.coding?.some((c) => c.code === code));
  if (type === 'inpatient') {
    const period = info('admissionperiod')?.timingPeriod;
    const admitted = day(period?.start) ?? start;
    const discharged = day(period?.end) ?? day(eob.billablePeriod?.end) ?? admitted;
    if (admitted && discharged) facts.admission = { date: admitted, lengthOfStay: Math.max(1, daysApart(admitted, discharged)) };
  }
  if (type === 'professional' || type === 'outpatient') {
    facts.emergency = items.some(
      (i) =>
        i.revenue?.coding?.some((c) => c.code?.startsWith('045')) ||
        i.locationCodeableConcept?.coding?.some((c) => c.code === '23') ||
        i.productOrService?.coding?.some((c) => ED_CODES.test(c.code ?? '')),
    );
  }
  if (type === 'pharmacy') {
    const days = info('dayssupply')?.valueQuantity?.value;
    facts.thirtyDayFills = typeof days === 'number' && days > 0 ? days / 30 : 1;
  }
  return facts;
}

/** Sum of an adjudication category over the items; the claim-level adjudication, else the total, when no item has it. */
function amount(eob: ExplanationOfBenefit, category: string): number {
  const is = (a: { category?: { coding?: { code?: string }[] } }) => a.category?.coding?.some((c) => c.code === category) ?? false;
  let found = false;
  let sum = 0;
  for (const item of eob.item ?? []) {
    for (const a of item.adjudication ?? []) {
      if (!is(a)) continue;
      found = true;
      sum += a.amount?.value ?? 0;
    }
  }
  if (found) return sum;
  const header = (eob.adjudication ?? []).filter(is);
  if (header.length) return header.reduce((s, a) => s + (a.amount?.value ?? 0), 0);
  return (eob.total ?? []).filter(is).reduce((s, t) => s + (t.amount?.value ?? 0), 0);
}

function hasAdjudication(eob: ExplanationOfBenefit, category: string): boolean {
  const is = (a: { category?: { coding?: { code?: string }[] } }) => a.category?.coding?.some((c) => c.code === category) ?? false;
  return (eob.item ?? []).some((i) => (i.adjudication ?? []).some(is)) || (eob.adjudication ?? []).some(is) || (eob.total ?? []).some(is);
}

function daysApart(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
