import type { ExplanationOfBenefit } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildC4bbEob } from '../../../src/fhir/carin-bb/index.js';
import type { ClaimFact, LineAmounts } from '../../../src/story/types.js';
import { amountsByCategory, cents } from '../../helpers/fhir-walk.js';
import { dependentStory, fixtureContext, lineAmounts, sumAmounts } from '../../fixtures/carin-bb-fixture.js';
import { fixtureEobs } from './helpers/build.js';

/** Per category, the sum over the items of the EOB, in cents. */
function itemSums(eob: ExplanationOfBenefit): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const item of eob.item ?? []) {
    for (const [code, value] of Object.entries(amountsByCategory(item.adjudication))) sums[code] = (sums[code] ?? 0) + value;
  }
  return sums;
}

function expectTotalsAddUp(eob: ExplanationOfBenefit): void {
  const totals = amountsByCategory(eob.total);
  expect(Object.keys(totals).length).toBeGreaterThan(0);
  expect(totals).toEqual(itemSums(eob));
  expect(cents(eob.payment?.amount?.value)).toBe(totals.benefit);
}

describe('EOB totals and payment', () => {
  it.each(fixtureEobs().map((e) => [e.id, e] as const))('should make every total of %s the sum of its lines, and pay the total benefit', (_, eob) => {
    expectTotalsAddUp(eob);
  });

  it('should take the totals from the story, not recompute them', () => {
    const claim = dependentStory.claims[2]!;
    const story = { ...dependentStory, claims: [] };
    const skewed: ClaimFact = { ...claim, totals: { ...claim.totals, benefit: claim.totals.benefit + 1 } };
    const eob = buildC4bbEob(story, skewed, fixtureContext);
    expect(amountsByCategory(eob.total).benefit).toBe(skewed.totals.benefit);
    expect(cents(eob.payment?.amount?.value)).toBe(skewed.totals.benefit);
  });

  const amountsArb: fc.Arbitrary<LineAmounts> = fc
    .record({
      allowed: fc.integer({ min: 0, max: 5_000_000 }),
      shares: fc.tuple(fc.nat(100), fc.nat(100), fc.nat(100), fc.nat(100), fc.nat(100)),
      noncovered: fc.integer({ min: 0, max: 200_000 }),
      discount: fc.integer({ min: 0, max: 5_000_000 }),
    })
    .map(({ allowed, shares, noncovered, discount }) => {
      // Split the allowed amount into deductible, copay, coinsurance, prior payer paid and benefit.
      const weight = shares.reduce((s, x) => s + x, 0) || 1;
      const [deductible, copay, coinsurance, priorPayerPaid] = shares.slice(0, 4).map((s) => Math.floor((allowed * s) / weight)) as [number, number, number, number];
      return lineAmounts({ submitted: allowed + noncovered + discount, allowed, deductible, copay, coinsurance, noncovered, priorPayerPaid });
    });

  it.each(dependentStory.claims.filter((c, i, all) => all.findIndex((o) => o.type === c.type) === i).map((c) => [c.type, c] as const))(
    'should keep totals equal to line sums for any %s line amounts (property)',
    (_, template) => {
      fc.assert(
        fc.property(fc.array(amountsArb, { minLength: 1, maxLength: 6 }), (amounts) => {
          const lines = amounts.map((a, i) => ({ ...template.lines[i % template.lines.length]!, sequence: i + 1, amounts: a, denial: undefined }));
          const claim: ClaimFact = { ...template, lines, totals: sumAmounts(lines) };
          expectTotalsAddUp(buildC4bbEob(dependentStory, claim, fixtureContext));
        }),
        { numRuns: 50 },
      );
    },
  );
});
