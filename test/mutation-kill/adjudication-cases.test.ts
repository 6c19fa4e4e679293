import { describe, expect, it } from 'vitest';
import type { CostSharing } from '../../src/profile/types.js';
import { adjudicateClaim, type Accumulator, type ClaimToPrice, type LineToPrice } from '../../src/story/adjudication.js';

/**
 * Adjudication worked by hand, one rule per case (issue 19: the mutants of src/story/adjudication.ts that the
 * properties in test/story/adjudication.test.ts let live, or caught only in some runs — the out-of-pocket cap,
 * the accumulator carried between claims, the copay taken once per claim, CO/PR denials). Amounts in cents.
 */
const line = (submitted: number, allowedRatio = 1, extra: Partial<LineToPrice> = {}): LineToPrice => ({ submitted, allowedRatio, preventive: false, ...extra });
const inpatient = (...lines: LineToPrice[]): ClaimToPrice => ({ type: 'inpatient', network: 'innetwork', lines });
const fresh = (): Accumulator => ({ deductibleMet: 0, outOfPocket: 0 });
// $100 deductible, $50 inpatient copay, 50 % coinsurance.
const plan = (outOfPocketMax: number): CostSharing => ({ deductible: 100, copay: { inpatient: 50 }, coinsurance: 0.5, outOfPocketMax });

describe('adjudicateClaim, by hand', () => {
  it('should take copay, then deductible, then coinsurance when under the out-of-pocket maximum', () => {
    const acc = fresh();
    // allowed $1,000: copay $50, deductible $100, coinsurance 50 % of $850 = $425.
    const [a] = adjudicateClaim(inpatient(line(100_000)), plan(10_000), acc);
    expect(a).toEqual({ submitted: 100_000, allowed: 100_000, discount: 0, deductible: 10_000, copay: 5_000, coinsurance: 42_500, noncovered: 0, benefit: 42_500, priorPayerPaid: 0, memberLiability: 57_500 });
    expect(acc).toEqual({ deductibleMet: 10_000, outOfPocket: 57_500 });
  });

  it('should cap the member at the out-of-pocket maximum: coinsurance cut first, then deductible, then copay', () => {
    const cases: [number, { copay: number; deductible: number; coinsurance: number }][] = [
      [200, { copay: 5_000, deductible: 10_000, coinsurance: 5_000 }],
      [120, { copay: 5_000, deductible: 7_000, coinsurance: 0 }],
      [30, { copay: 3_000, deductible: 0, coinsurance: 0 }],
      [575, { copay: 5_000, deductible: 10_000, coinsurance: 42_500 }],
    ];
    for (const [max, shares] of cases) {
      const acc = fresh();
      const [a] = adjudicateClaim(inpatient(line(100_000)), plan(max), acc);
      const paid = shares.copay + shares.deductible + shares.coinsurance;
      expect(a, `out-of-pocket max $${max}`).toMatchObject({ ...shares, benefit: 100_000 - paid, memberLiability: paid });
      expect(acc, `out-of-pocket max $${max}`).toEqual({ deductibleMet: shares.deductible, outOfPocket: paid });
    }
  });

  it('should carry the deductible and out-of-pocket already met into the next claim', () => {
    const acc: Accumulator = { deductibleMet: 6_000, outOfPocket: 15_000 };
    // $40 of deductible left; $200 allowed: copay $50, deductible $40, coinsurance 50 % of $110 = $55.
    const [a] = adjudicateClaim(inpatient(line(20_000)), plan(10_000), acc);
    expect(a).toMatchObject({ copay: 5_000, deductible: 4_000, coinsurance: 5_500, benefit: 5_500 });
    expect(acc).toEqual({ deductibleMet: 10_000, outOfPocket: 29_500 });
    // Out-of-pocket $295 met of a $300 maximum: $5 more — the coinsurance cut to nothing, the copay to $5.
    const [b] = adjudicateClaim(inpatient(line(20_000)), plan(300), acc);
    expect(b).toMatchObject({ copay: 500, deductible: 0, coinsurance: 0, benefit: 19_500 });
    expect(acc).toEqual({ deductibleMet: 10_000, outOfPocket: 30_000 });
  });

  it('should apply the deductible only to what the copay leaves of the allowed amount', () => {
    // allowed $30, copay $20 (of $50, the line is smaller): deductible $10 of the $100, nothing left for coinsurance.
    const acc = fresh();
    const [a] = adjudicateClaim(inpatient(line(3_000)), { ...plan(10_000), copay: { inpatient: 20 } }, acc);
    expect(a).toMatchObject({ allowed: 3_000, copay: 2_000, deductible: 1_000, coinsurance: 0, benefit: 0, memberLiability: 3_000 });
    expect(acc).toEqual({ deductibleMet: 1_000, outOfPocket: 3_000 });
  });

  it('should take the copay once per claim, not once per line', () => {
    const [first, second] = adjudicateClaim(inpatient(line(3_000), line(3_000)), { ...plan(10_000), deductible: 0, coinsurance: 0 }, fresh());
    expect(first).toMatchObject({ copay: 3_000, benefit: 0 });
    expect(second).toMatchObject({ copay: 2_000, benefit: 1_000 });
  });

  it('should apply deductible and coinsurance to an in-network visit when its plan has no copay for it', () => {
    const [a] = adjudicateClaim({ type: 'professional', network: 'innetwork', lines: [line(30_000)] }, { deductible: 100, copay: { inpatient: 50 }, coinsurance: 0.2, outOfPocketMax: 5_000 }, fresh());
    // allowed $300: deductible $100, coinsurance 20 % of $200 = $40.
    expect(a).toMatchObject({ copay: 0, deductible: 10_000, coinsurance: 4_000, benefit: 16_000 });
  });

  it('should write a CO denial off as discount and make a PR denial the member\'s', () => {
    const [co, pr] = adjudicateClaim(inpatient(line(12_345, 1, { denial: { group: 'CO' } }), line(6_789, 1, { denial: { group: 'PR' } })), plan(10_000), fresh());
    expect(co).toEqual({ submitted: 12_345, allowed: 0, discount: 12_345, deductible: 0, copay: 0, coinsurance: 0, noncovered: 0, benefit: 0, priorPayerPaid: 0, memberLiability: 0 });
    expect(pr).toEqual({ submitted: 6_789, allowed: 0, discount: 0, deductible: 0, copay: 0, coinsurance: 0, noncovered: 6_789, benefit: 0, priorPayerPaid: 0, memberLiability: 6_789 });
  });
});
