import { describe, expect, it } from 'vitest';
import type { PricingTable } from '../../src/codemaps/pricing.js';
import type { DenialRow } from '../../src/codemaps/types.js';
import type { Plan } from '../../src/profile/types.js';
import type { ClaimDraft, DraftLine } from '../../src/story/claims/draft.js';
import { finalizeClaims } from '../../src/story/claims/finalize.js';
import { bookMultiple, chargeRatio, drgPayment, drugFillPrice, medicareRate } from '../../src/story/claims/pricing.js';
import type { ClaimFact } from '../../src/story/types.js';
import { daysBetween } from '../../src/util/dates.js';
import { Rng } from '../../src/util/rng.js';

/**
 * src/story/claims worked by hand (issue 19): the pricing table read the way pricing.ts documents it, and
 * finalizeClaims on hand-made drafts — the order claims are adjudicated in, the accumulators per coverage and
 * plan year (amounts in cents), the date chain, outcomes, payees, units, patient records and corrected claims.
 */

const table: PricingTable = {
  ipps: { standardizedAmount: 6000, addOns: 1.5 },
  pfs: { conversionFactor: 30 },
  rvus: { codes: { '99213': 3 } },
  clfs: { codes: { '80053': 11 } },
  opps: { codes: { '99283': 200, '80053': 999 } },
  ambulance: { codes: { A0427: 500 } },
  books: {
    commercial: { hospital: 2.5, professional: 1.3, drug: 1.1 },
    'medicare-advantage': { hospital: 1, professional: 1, drug: 1 },
    medicaid: { hospital: 0.9, professional: 0.7, drug: 0.95 },
  },
  charges: { hospital: 3.9, professional: 2.3, pharmacy: 1.25 },
  drugs: { genericPer30Days: 12, brandPer30Days: 450 },
  fallback: { chargeToMedicare: 4 },
  revenueCodes: { codes: {} },
  inpatientWeights: { codes: {} },
};

describe('pricing', () => {
  it('should take the lab, then the ambulance, then the setting fee schedule, then the charge fallback', () => {
    const row = (code: string) => ({ code, charge: 100, use: 'office-visit' as const });
    expect(medicareRate(table, row('80053'), 'hospital')).toBe(11);
    expect(medicareRate(table, row('A0427'), 'professional')).toBe(500);
    expect(medicareRate(table, row('99283'), 'hospital')).toBe(200);
    expect(medicareRate(table, row('99283'), 'professional')).toBe(25); // no RVUs: 100 / 4
    expect(medicareRate(table, row('99213'), 'professional')).toBe(90); // 3 RVUs × $30
    expect(medicareRate(table, row('99213'), 'hospital')).toBe(25); // no OPPS rate: 100 / 4
  });

  it('should price the books, a DRG, a fill and the charge ratios as the table says', () => {
    expect(bookMultiple(table, 'commercial', 'hospital')).toBe(2.5);
    expect(bookMultiple(table, 'medicaid', 'drug')).toBe(0.95);
    expect(bookMultiple(table, 'dental', 'professional')).toBe(1);
    expect(drgPayment(table, 2)).toBe(18_000);
    expect(drgPayment(table, 0)).toBe(9_000);
    expect(drugFillPrice(table, { brand: false, daysSupply: 90 })).toBe(36);
    expect(drugFillPrice(table, { brand: true, daysSupply: 30 })).toBe(450);
    expect(chargeRatio(table, 'pharmacy')).toBe(1.25);
    expect(chargeRatio(table, 'hospital')).toBe(3.9);
  });
});

const plan = (id: string, copay: Plan['costSharing']['copay'] = {}): Plan => ({
  id, name: id, type: 'commercial', share: 1, group: { id: 'g', name: 'g' },
  costSharing: { deductible: 500, copay, coinsurance: 0.2, outOfPocketMax: 10_000 },
});
const plans = new Map<number, Plan>([[1, plan('a', { pharmacy: 10 })], [2, plan('b')]]);

const denial = (group: 'CO' | 'PR', ncpdpReject?: string): DenialRow =>
  ({ carc: group === 'CO' ? '50' : '96', display: 'not covered', group, claimTypes: ['professional', 'pharmacy'], ncpdpReject }) as DenialRow;

function line(submitted: number, extra: Partial<DraftLine> = {}): DraftLine {
  return {
    serviceDate: '2024-01-01', code: { system: 'cpt', code: '99213', display: 'visit', licensed: true }, modifiers: [],
    quantity: 2, diagnosisSequences: [1],
    price: { submitted, allowedRatio: 1, preventive: false, ...(extra.denialReason ? { denial: { group: extra.denialReason.group } } : {}) },
    ...extra,
  };
}

function draft(type: ClaimDraft['type'], start: string, lines: DraftLine[], extra: Partial<ClaimDraft> = {}): ClaimDraft {
  return {
    type, coverageOrdinal: 1, serviceStart: start, serviceEnd: start, billingProviderId: 'prov-1', network: 'innetwork',
    diagnoses: [], procedures: [], lines, ...extra,
  };
}

const run = (drafts: ClaimDraft[], seed = 'seed', corrected = false): ClaimFact[] => finalizeClaims(new Rng(seed), 'member-1', drafts, plans, corrected);

describe('finalizeClaims', () => {
  it('should adjudicate in service order, same-day claims inpatient → outpatient → professional → pharmacy → oral', () => {
    const drafts = [
      draft('oral', '2024-03-01', [line(100)]),
      draft('pharmacy', '2024-03-01', [line(100)]),
      draft('professional', '2024-03-01', [line(100)]),
      draft('inpatient', '2024-03-01', [line(100)]),
      draft('outpatient', '2024-03-01', [line(100)]),
      draft('professional', '2024-02-28', [line(100)]),
      draft('inpatient', '2024-03-02', [line(100)]),
    ];
    const claims = run(drafts);
    expect(claims.map((c) => `${c.serviceStart} ${c.type}`)).toEqual([
      '2024-02-28 professional', '2024-03-01 inpatient', '2024-03-01 outpatient', '2024-03-01 professional',
      '2024-03-01 pharmacy', '2024-03-01 oral', '2024-03-02 inpatient',
    ]);
    expect(claims.map((c) => c.ordinal)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(drafts[0]!.type).toBe('oral'); // the caller's list is left as it was
  });

  it('should meet the deductible once per coverage and plan year', () => {
    // $500 deductible, 20 % coinsurance, no copay: inpatient claims of $400 each, allowed in full.
    const claims = run([
      draft('inpatient', '2024-03-01', [line(40_000)]),
      draft('inpatient', '2024-05-01', [line(40_000)]),
      draft('inpatient', '2025-01-10', [line(40_000)]),
      draft('inpatient', '2024-06-01', [line(40_000)], { coverageOrdinal: 2 }),
    ]);
    const byStart = Object.fromEntries(claims.map((c) => [`${c.coverageOrdinal} ${c.serviceStart}`, c.totals]));
    expect(byStart['1 2024-03-01']).toMatchObject({ deductible: 40_000, coinsurance: 0, benefit: 0 });
    expect(byStart['1 2024-05-01']).toMatchObject({ deductible: 10_000, coinsurance: 6_000, benefit: 24_000 });
    expect(byStart['1 2025-01-10']).toMatchObject({ deductible: 40_000, coinsurance: 0 });
    expect(byStart['2 2024-06-01']).toMatchObject({ deductible: 40_000, coinsurance: 0 });
  });

  it("should price a fill at its tier's copay (preferred brand: 3 × the $10 pharmacy copay)", () => {
    const pharmacy = { tier: 'preferred-brand' } as ClaimDraft['pharmacy'];
    const [fill] = run([draft('pharmacy', '2024-03-01', [line(10_000)], { pharmacy })]);
    expect(fill!.totals).toMatchObject({ copay: 3_000, deductible: 0, coinsurance: 0, benefit: 7_000 });
    const [visit] = run([draft('pharmacy', '2024-03-01', [line(10_000)])]);
    expect(visit!.totals).toMatchObject({ copay: 1_000, benefit: 9_000 });
  });

  it('should throw for a draft naming a coverage the member does not have', () => {
    expect(() => run([draft('professional', '2024-03-01', [line(100)], { coverageOrdinal: 3 })])).toThrow(
      'claim names coverage 3, which the member does not have',
    );
  });

  it('should date every claim received 1-14 days after service ends, adjudicated 1-14 days later, paid 1-7 days after', () => {
    const seen = { received: new Set<number>(), adjudicated: new Set<number>(), paid: new Set<number>() };
    for (let s = 0; s < 40; s++) {
      const claims = run([draft('inpatient', '2024-03-01', [line(100)], { serviceEnd: '2024-03-09' }), draft('professional', '2024-12-30', [line(100)])], `s${s}`);
      for (const c of claims) {
        seen.received.add(daysBetween(c.serviceEnd, c.received));
        seen.adjudicated.add(daysBetween(c.received, c.adjudicated));
        seen.paid.add(daysBetween(c.adjudicated, c.paymentDate!));
      }
    }
    const range = (set: Set<number>) => [Math.min(...set), Math.max(...set)];
    expect(range(seen.received)).toEqual([1, 14]);
    expect(range(seen.adjudicated)).toEqual([1, 14]);
    expect(range(seen.paid)).toEqual([1, 7]);
  });

  it('should number lines, set the units allowed on priced-per-unit lines, and carry denials', () => {
    const [prof, oral, inpatient, rx] = run([
      draft('professional', '2024-03-01', [line(100), line(100, { denialReason: denial('CO', 'M1') }), line(100, { allowedUnits: 1 })]),
      draft('oral', '2024-03-02', [line(100)]),
      draft('inpatient', '2024-03-03', [line(100), line(100)]),
      draft('pharmacy', '2024-03-04', [line(100, { denialReason: denial('PR', '75') })]),
    ]);
    expect(prof!.lines.map((l) => l.sequence)).toEqual([1, 2, 3]);
    expect(prof!.lines.map((l) => l.allowedUnits)).toEqual([2, undefined, 1]);
    expect(oral!.lines[0]!.allowedUnits).toBe(2);
    expect(inpatient!.lines.map((l) => l.allowedUnits)).toEqual([undefined, undefined]);
    expect(prof!.lines[1]!.denial).toEqual({ carc: '50', display: 'not covered' });
    expect(rx!.lines[0]!.denial).toEqual({ carc: '96', display: 'not covered', ncpdpReject: '75' });
    for (const c of [prof, oral, inpatient, rx]) {
      for (const l of c!.lines) expect(Object.keys(l).filter((k) => k === 'price' || k === 'denialReason')).toEqual([]);
      expect('forced' in c!).toBe(false);
    }
    expect(prof!.lines[0]!.denial).toBeUndefined();
  });

  it('should say paid, partially paid or denied, and total the lines', () => {
    const [paid, partly, denied] = run([
      draft('inpatient', '2024-03-01', [line(100), line(300)]),
      draft('inpatient', '2024-03-02', [line(100), line(100, { denialReason: denial('CO') })]),
      draft('inpatient', '2024-03-03', [line(100, { denialReason: denial('PR') }), line(50, { denialReason: denial('CO') })]),
    ]);
    expect([paid!.outcome, partly!.outcome, denied!.outcome]).toEqual(['paid', 'partiallypaid', 'denied']);
    for (const c of [paid!, partly!, denied!]) {
      for (const key of Object.keys(c.totals) as (keyof ClaimFact['totals'])[]) {
        expect(c.totals[key], key).toBe(c.lines.reduce((s, l) => s + l.amounts[key], 0));
      }
    }
    expect(paid!.totals.submitted).toBe(400);
    expect(denied!.totals).toMatchObject({ noncovered: 100, discount: 50, benefit: 0 });
  });

  it('should pay in-network claims to the provider and about half of out-of-network ones to the subscriber', () => {
    const payees = { innetwork: new Set<string>(), outofnetwork: new Set<string>() };
    for (let s = 0; s < 30; s++) {
      for (const c of run([draft('professional', '2024-03-01', [line(100)]), draft('professional', '2024-04-01', [line(100)], { network: 'outofnetwork' })], `p${s}`)) {
        payees[c.network].add(c.payee);
      }
    }
    expect([...payees.innetwork]).toEqual(['provider']);
    expect([...payees.outofnetwork].sort()).toEqual(['provider', 'subscriber']);
  });

  it("should number claims by year and hash, and give professional and oral claims the provider's patient record", () => {
    const claims = run([
      draft('professional', '2024-03-01', [line(100)]),
      draft('professional', '2024-04-01', [line(100)]),
      draft('professional', '2024-05-01', [line(100)], { billingProviderId: 'prov-2' }),
      draft('oral', '2025-02-01', [line(100)]),
      draft('outpatient', '2024-06-01', [line(100)]),
      draft('pharmacy', '2024-07-01', [line(100)]),
    ]);
    for (const c of claims) expect(c.claimNumber).toMatch(new RegExp(`^${c.serviceStart.slice(0, 4)}[0-9A-F]{10}$`));
    expect(new Set(claims.map((c) => c.claimNumber)).size).toBe(claims.length);
    const [a, b, other, outpatient, rx, oral] = claims;
    for (const c of [a, b, other, oral]) {
      expect(c!.patientRecord!.medicalRecordNumber).toMatch(/^MRN\d{8}$/);
      expect(c!.patientRecord!.patientAccountNumber).toMatch(/^PA\d{10}$/);
    }
    expect(a!.patientRecord!.medicalRecordNumber).toBe(b!.patientRecord!.medicalRecordNumber);
    expect(a!.patientRecord!.medicalRecordNumber).not.toBe(other!.patientRecord!.medicalRecordNumber);
    expect(new Set([a, b, other, oral].map((c) => c!.patientRecord!.patientAccountNumber)).size).toBe(4);
    expect(outpatient!.patientRecord).toBeUndefined();
    // Numbers keep their width when the hash's digits start with zeros (one in ten does, for each provider).
    const many = run(Array.from({ length: 40 }, (_, i) => draft('professional', '2024-03-01', [line(100)], { billingProviderId: `prov-${i}` })));
    for (const c of many) {
      expect(c.patientRecord!.medicalRecordNumber).toMatch(/^MRN\d{8}$/);
      expect(c.patientRecord!.patientAccountNumber).toMatch(/^PA\d{10}$/);
    }
    expect(rx!.patientRecord).toBeUndefined();
    // The same member and drafts give the same numbers; another member other ones.
    expect(run([draft('professional', '2024-03-01', [line(100)])])[0]!.claimNumber).toBe(a!.claimNumber);
    expect(finalizeClaims(new Rng('seed'), 'member-2', [draft('professional', '2024-03-01', [line(100)])], plans, false)[0]!.claimNumber).not.toBe(a!.claimNumber);
  });

  it("should make a corrected member's first forced claim of each type a replacement, and no other", () => {
    const institutional = { typeOfBill: '0111' } as ClaimFact['institutional'];
    const drafts = () => [
      draft('inpatient', '2024-03-01', [line(100)], { forced: true, institutional }),
      draft('inpatient', '2024-03-05', [line(100)], { forced: true, institutional }),
      draft('pharmacy', '2024-03-02', [line(100)], { forced: true }),
      draft('professional', '2024-03-03', [line(100)], { forced: true }),
      draft('oral', '2024-03-04', [line(100)]),
      draft('outpatient', '2024-03-06', [line(100)], { forced: true, institutional }),
      draft('oral', '2024-03-07', [line(100)], { forced: true }),
    ];
    const claims = run(drafts(), 'seed', true);
    const [inpatient, rx, prof, oral, secondInpatient, outpatient, forcedOral] = claims;
    // Every claim type can be corrected: each gets its own earlier claim number.
    expect(outpatient!.institutional!.typeOfBill).toBe('0117');
    expect(forcedOral!.processNote).toBe(`Corrected claim: replaces claim ${forcedOral!.replaces}, which was submitted with an incorrect service date.`);
    const replaced = [inpatient, rx, prof, outpatient, forcedOral].map((c) => c!.replaces);
    expect(new Set(replaced).size).toBe(5);
    expect(inpatient!.institutional!.typeOfBill).toBe('0117');
    expect(inpatient!.replaces).toMatch(/^2024[0-9A-F]{10}$/);
    expect(inpatient!.replaces).not.toBe(inpatient!.claimNumber);
    expect(inpatient!.processNote).toBe(`Replacement of prior claim ${inpatient!.replaces} (type of bill frequency 7): the original was submitted with incomplete charges.`);
    expect(rx!.processNote).toBe(`Reversed and rebilled: replaces claim ${rx!.replaces}, which was submitted with an incorrect days supply.`);
    expect(prof!.processNote).toBe(`Corrected claim: replaces claim ${prof!.replaces}, which was submitted with an incorrect service date.`);
    expect(oral!.replaces).toBeUndefined();
    expect(secondInpatient!.replaces).toBeUndefined();
    expect(secondInpatient!.institutional!.typeOfBill).toBe('0111');
    expect(institutional!.typeOfBill).toBe('0111'); // the draft's facts are not changed in place
    expect(run(drafts(), 'seed', false).filter((c) => c.replaces || c.processNote)).toEqual([]);
  });
});
