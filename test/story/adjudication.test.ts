import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CostSharing } from '../../src/profile/types.js';
import { adjudicateClaim, sumAmounts, type Accumulator, type ClaimToPrice } from '../../src/story/adjudication.js';

const costSharing = fc.record({
  deductible: fc.integer({ min: 0, max: 5000 }),
  copay: fc.record({ professional: fc.integer({ min: 0, max: 80 }), outpatient: fc.integer({ min: 0, max: 300 }) }),
  coinsurance: fc.double({ min: 0, max: 0.5, noNaN: true }),
  outOfPocketMax: fc.integer({ min: 0, max: 10000 }),
  outOfNetworkCoinsurance: fc.double({ min: 0, max: 0.6, noNaN: true }),
}) as fc.Arbitrary<CostSharing>;

const claim: fc.Arbitrary<ClaimToPrice> = fc.record({
  type: fc.constantFrom('professional', 'outpatient', 'inpatient', 'pharmacy', 'oral'),
  network: fc.constantFrom('innetwork', 'outofnetwork'),
  lines: fc.array(
    fc.record({
      submitted: fc.integer({ min: 0, max: 5_000_000 }),
      allowedRatio: fc.double({ min: 0, max: 1, noNaN: true }),
      preventive: fc.boolean(),
      denial: fc.option(fc.record({ group: fc.constantFrom('CO', 'PR') }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
}) as fc.Arbitrary<ClaimToPrice>;

describe('adjudicateClaim', () => {
  it('should keep the adjudication identities on every line', () => {
    fc.assert(
      fc.property(costSharing, claim, (cost, c) => {
        const acc: Accumulator = { deductibleMet: 0, outOfPocket: 0 };
        for (const a of adjudicateClaim(c, cost, acc)) {
          expect(a.submitted).toBeGreaterThanOrEqual(a.allowed);
          expect(a.allowed).toBe(a.benefit + a.deductible + a.copay + a.coinsurance + a.priorPayerPaid);
          expect(a.memberLiability).toBe(a.deductible + a.copay + a.coinsurance + a.noncovered);
          expect(a.submitted).toBe(a.allowed + a.discount + a.noncovered);
          for (const v of Object.values(a)) {
            expect(Number.isInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
        }
      }),
    );
  });

  it('should pay nothing on denied lines', () => {
    fc.assert(
      fc.property(costSharing, claim, (cost, c) => {
        const amounts = adjudicateClaim(c, cost, { deductibleMet: 0, outOfPocket: 0 });
        c.lines.forEach((line, i) => {
          if (line.denial) {
            expect(amounts[i]!.benefit).toBe(0);
            expect(amounts[i]!.allowed).toBe(0);
          }
        });
      }),
    );
  });

  it('should never apply more deductible or out-of-pocket than the plan year allows across claims', () => {
    fc.assert(
      fc.property(costSharing, fc.array(claim, { minLength: 1, maxLength: 8 }), (cost, claims) => {
        const acc: Accumulator = { deductibleMet: 0, outOfPocket: 0 };
        let deductible = 0;
        let outOfPocket = 0;
        for (const c of claims) {
          const total = sumAmounts(adjudicateClaim(c, cost, acc));
          deductible += total.deductible;
          outOfPocket += total.deductible + total.copay + total.coinsurance;
        }
        expect(deductible).toBeLessThanOrEqual(Math.round(cost.deductible * 100));
        expect(outOfPocket).toBeLessThanOrEqual(Math.round(cost.outOfPocketMax * 100));
        expect(acc.deductibleMet).toBe(deductible);
        expect(acc.outOfPocket).toBe(outOfPocket);
      }),
    );
  });

  it('should charge no cost sharing on preventive lines', () => {
    const cost: CostSharing = { deductible: 1000, copay: { professional: 30 }, coinsurance: 0.2, outOfPocketMax: 5000 };
    const [line] = adjudicateClaim(
      { type: 'professional', network: 'innetwork', lines: [{ submitted: 20000, allowedRatio: 0.5, preventive: true }] },
      cost,
      { deductibleMet: 0, outOfPocket: 0 },
    );
    expect(line).toMatchObject({ allowed: 10000, benefit: 10000, deductible: 0, copay: 0, coinsurance: 0 });
  });

  it('should apply copay, then deductible, then coinsurance on the rest of a hospital stay', () => {
    const cost: CostSharing = { deductible: 50, copay: { inpatient: 20 }, coinsurance: 0.2, outOfPocketMax: 5000 };
    const [line] = adjudicateClaim(
      { type: 'inpatient', network: 'innetwork', lines: [{ submitted: 30000, allowedRatio: 0.5, preventive: false }] },
      cost,
      { deductibleMet: 0, outOfPocket: 0 },
    );
    // allowed $150: copay $20, deductible $50, coinsurance 20% of $80 = $16, plan pays $64
    expect(line).toMatchObject({ allowed: 15000, copay: 2000, deductible: 5000, coinsurance: 1600, benefit: 6400, discount: 15000 });
  });

  it('should charge only the copay on an in-network visit or prescription that has one', () => {
    const cost: CostSharing = { deductible: 50, copay: { professional: 20, pharmacy: 10, outpatient: 10 }, coinsurance: 0.2, outOfPocketMax: 5000 };
    for (const type of ['professional', 'pharmacy', 'outpatient'] as const) {
      const acc = { deductibleMet: 0, outOfPocket: 0 };
      const [line] = adjudicateClaim({ type, network: 'innetwork', lines: [{ submitted: 30000, allowedRatio: 0.5, preventive: false }] }, cost, acc);
      const copay = type === 'professional' ? 2000 : 1000;
      expect(line).toMatchObject({ allowed: 15000, copay, deductible: 0, coinsurance: 0, benefit: 15000 - copay });
      expect(acc.deductibleMet).toBe(0);
    }
    // Out of network the copay does not replace them: deductible and coinsurance apply after it.
    const [oon] = adjudicateClaim(
      { type: 'professional', network: 'outofnetwork', lines: [{ submitted: 30000, allowedRatio: 0.5, preventive: false }] },
      cost,
      { deductibleMet: 0, outOfPocket: 0 },
    );
    expect(oon).toMatchObject({ copay: 2000, deductible: 5000 });
  });

  it('should let out-of-network providers balance-bill the unallowed part', () => {
    const cost: CostSharing = { deductible: 0, copay: {}, coinsurance: 0.2, outOfPocketMax: 5000, outOfNetworkCoinsurance: 0.4 };
    const [line] = adjudicateClaim(
      { type: 'professional', network: 'outofnetwork', lines: [{ submitted: 10000, allowedRatio: 0.6, preventive: false }] },
      cost,
      { deductibleMet: 0, outOfPocket: 0 },
    );
    expect(line).toMatchObject({ allowed: 6000, noncovered: 4000, discount: 0, coinsurance: 2400, benefit: 3600, memberLiability: 6400 });
  });
});
