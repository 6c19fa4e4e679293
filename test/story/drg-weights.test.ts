// MS-DRG relative weights as a user may edit them in code-maps/catalog/ms-drg.json (any number ≥ 0): the stay's MS-DRG
// is drawn by weight^β (β up to 4), which underflowed to 0 for every candidate at weights of 1e-300 and overflowed to
// Infinity at 1e300, and Rng.weighted then threw ("weights sum to 0"): `generate` was exit 70 (session 11, helper N).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CodeMaps, DrgRow } from '../../src/codemaps/types.js';
import type { Profile } from '../../src/profile/types.js';
import type { MemberClaimsContext } from '../../src/story/claims/context.js';
import { severityPick } from '../../src/story/claims/institutional.js';
import { buildDirectory } from '../../src/story/directory.js';
import { simulateMember } from '../../src/story/simulate.js';
import { Rng } from '../../src/util/rng.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

/** What severityPick reads of a member: `chronic` active chronic conditions, an age, the DRG table, the draws. */
function member(weights: number[], chronic: number, age: number, seed: string): { ctx: MemberClaimsContext; codes: string[] } {
  const codes = weights.map((_, i) => String(i + 1).padStart(3, '0'));
  const drgs = new Map(codes.map((code, i) => [code, { code, weight: weights[i] } as DrgRow]));
  const ctx = {
    rng: new Rng(seed),
    codeMaps: { drgs },
    activeConditions: () => Array.from({ length: chronic }, () => ({})),
    conditionRow: () => ({ chronic: true }),
    ageOn: () => age,
  } as unknown as MemberClaimsContext;
  return { ctx, codes };
}

describe('severityPick: the stay\'s MS-DRG by relative weight', () => {
  it('should pick one of the candidates for any weights ≥ 0, at any β', () => {
    const weight = fc.oneof(fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true }), fc.constantFrom(0, 1e-300, 5e-324, 1e300, Number.MAX_VALUE));
    fc.assert(
      fc.property(fc.array(weight, { minLength: 1, maxLength: 6 }), fc.nat(8), fc.integer({ min: 0, max: 100 }), fc.string(), (weights, chronic, age, seed) => {
        const { ctx, codes } = member(weights, chronic, age, seed);
        expect(codes).toContain(severityPick(ctx, codes, '2025-01-01'));
      }),
      { numRuns: 300 },
    );
  });

  it('should still favour the heavier MS-DRG at weights of 1e-300 and 1e300', () => {
    for (const scale of [1e-300, 1, 1e300]) {
      // β = 4 (3 for six chronic conditions + 1 at 65): the heavier (twice the weight) 16 times as likely.
      const { ctx, codes } = member([scale, 2 * scale], 6, 70, `scale ${scale}`);
      const picks = Array.from({ length: 400 }, () => severityPick(ctx, codes, '2025-01-01'));
      const heavier = picks.filter((c) => c === codes[1]).length;
      expect(heavier, `scale ${scale}`).toBeGreaterThan(340);
      expect(heavier, `scale ${scale}`).toBeLessThan(400);
    }
  });
});

describe('generate with every MS-DRG weight edited to 1e-300', () => {
  it('should simulate the members\' hospital stays, with whole, non-negative allowed amounts', () => {
    const tiny: CodeMaps = { ...codeMaps, drgs: new Map([...codeMaps.drgs].map(([code, row]) => [code, { ...row, weight: 1e-300, charge: 0 }])) };
    // Many admissions a year, among members old enough and ill enough for β ≥ 1.5 (where 1e-300^β is 0).
    const base = shippedProfile('default');
    const plans = base.plans.map((plan) => (plan.utilization ? { ...plan, utilization: { ...plan.utilization, inpatient: 12 } } : plan));
    const profile: Profile = { ...base, members: 8, utilization: { ...base.utilization, inpatient: 12 }, plans };
    const directory = buildDirectory(profile, tiny);
    const stays = Array.from({ length: profile.members }, (_, i) => simulateMember({ profile, codeMaps: tiny, directory }, i)).flatMap((s) =>
      s.claims.filter((c) => c.type === 'inpatient'),
    );
    expect(stays.length).toBeGreaterThan(0);
    for (const stay of stays) {
      expect(tiny.drgs.has(stay.institutional!.drg!)).toBe(true);
      for (const line of stay.lines) expect(Number.isInteger(line.amounts.allowed) && line.amounts.allowed >= 0, JSON.stringify(line.amounts)).toBe(true);
    }
  });
});
