import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDirectory } from '../../../src/story/directory.js';
import { simulateMember } from '../../../src/story/simulate.js';
import { codeMaps, shippedProfile } from '../../helpers/output.js';

const base = shippedProfile();

describe('planning facts for any seed', () => {
  it('point only at the member’s own conditions, visits and claim lines, within the period', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 24 }), (seed, index) => {
        const profile = { ...base, seed };
        const s = simulateMember({ profile, codeMaps, directory: buildDirectory(profile, codeMaps) }, index);
        const { carePlan, notes, reports } = s.clinical.planning;
        const ordinals = new Set(s.clinical.encounters.map((e) => e.ordinal));
        for (const i of carePlan?.conditionIndexes ?? []) expect(codeMaps.conditions.get(s.conditions[i]!.key)!.chronic).toBe(true);
        for (const g of carePlan?.goals ?? []) {
          expect(carePlan!.conditionIndexes).toContain(g.conditionIndex);
          if (g.lifecycleStatus === 'completed') expect(g.due !== undefined && g.due <= profile.period.end).toBe(true);
        }
        if (carePlan?.encounterOrdinal) expect(ordinals.has(carePlan.encounterOrdinal)).toBe(true);
        for (const n of notes) {
          expect(ordinals.has(n.encounterOrdinal)).toBe(true);
          expect(n.periodStart <= n.periodEnd).toBe(true);
        }
        for (const r of reports) {
          expect(ordinals.has(r.encounterOrdinal)).toBe(true);
          expect(s.claims.find((c) => c.ordinal === r.claimOrdinal)!.lines.some((l) => l.sequence === r.lineSequence)).toBe(true);
          expect(r.issued > r.effective).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });
});
