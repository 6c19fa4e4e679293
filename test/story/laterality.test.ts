import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDirectory } from '../../src/story/directory.js';
import { simulateMember } from '../../src/story/simulate.js';
import { randomProfiles } from '../helpers/arbitraries.js';
import { codeMaps } from '../helpers/output.js';

const sideOfIcd = new Map(
  [...codeMaps.conditions.values()].flatMap((c) => c.icd10cm.filter((i) => i.side).map((i) => [i.code, i.side] as const)),
);
const sideOfPcs = new Map([...codeMaps.pcs.values()].filter((p) => p.side).map((p) => [p.code, p.side] as const));
const MODIFIER_SIDE: Record<string, string> = { RT: 'right', LT: 'left' };

describe('laterality', () => {
  it('should operate on the side the principal diagnosis names, and bill the surgeon\'s line with that side', () => {
    let sided = 0;
    fc.assert(
      fc.property(randomProfiles, (profile) => {
        const directory = buildDirectory(profile, codeMaps);
        for (let i = 0; i < profile.members; i++) {
          for (const claim of simulateMember({ profile, codeMaps, directory }, i).claims) {
            const principal = claim.diagnoses.find((d) => d.role === 'principal');
            const side = principal && sideOfIcd.get(principal.icd10cm);
            if (!side) continue;
            for (const p of claim.procedures) {
              if (sideOfPcs.has(p.pcs)) {
                sided++;
                expect(sideOfPcs.get(p.pcs), `${claim.claimNumber} ${p.pcs} for ${principal.icd10cm}`).toBe(side);
              }
            }
            if (claim.procedures.some((p) => sideOfPcs.has(p.pcs))) {
              for (const m of claim.lines.flatMap((l) => l.modifiers)) if (MODIFIER_SIDE[m.code]) expect(MODIFIER_SIDE[m.code]).toBe(side);
            }
          }
        }
      }),
      { numRuns: 25 },
    );
    // The coverage plan's first member has the surgical admission, so the property has cases to check.
    expect(sided).toBeGreaterThan(0);
  });
});
