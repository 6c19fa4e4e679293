import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageOn } from '../../src/util/dates.js';
import type { MemberStory } from '../../src/story/types.js';
import { randomProfiles } from '../helpers/arbitraries.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';
import { simulatePopulation } from '../helpers/population.js';

/** Sex and maternity edits of the CMS Medicare Code Editor, by ICD-10-CM chapter and block. */
function implausible(story: MemberStory): string[] {
  const wrong: string[] = [];
  for (const c of story.conditions) {
    const row = codeMaps.conditions.get(c.key)!;
    const code = row.icd10cm[c.icd10Index]?.code ?? row.icd10cm[0]!.code;
    const age = ageOn(story.member.birthDate, c.onset);
    const maleOnly = /^(C6[0-3]|D29|D40|N4\d|N5[0-3])/.test(code);
    const pregnancy = /^(O|Z3[2-9])/.test(code) || row.category === 'pregnancy';
    const femaleOnly = pregnancy || /^(C5[1-8]|D2[5-8]|D39|N[7-9]\d)/.test(code) || row.category === 'gynecologic';
    const where = `member ${story.index} (${story.member.sex}, ${age}): ${c.key} ${code}`;
    if (maleOnly && story.member.sex !== 'male') wrong.push(where);
    if (femaleOnly && story.member.sex !== 'female') wrong.push(where);
    if (pregnancy && (age < 12 || age > 55)) wrong.push(where);
  }
  return wrong;
}

describe('conditions fit the member', () => {
  for (const name of ['medicare-advantage', 'commercial', 'medicaid'] as const) {
    it(`should give no sex-specific condition to the other sex and no pregnancy outside ages 12–55 (${name}, 300 members)`, () => {
      const stories = simulatePopulation({ ...shippedProfile(name), members: 300 });
      expect(stories.flatMap(implausible)).toEqual([]);
    });
  }

  it('should hold for random profiles, whose conditions carry no bySex', () => {
    fc.assert(fc.property(randomProfiles, (profile) => {
      expect(simulatePopulation(profile).flatMap(implausible)).toEqual([]);
    }), { numRuns: 30 });
  });

  it('should hold when a profile lists pregnancy and prostate conditions for everyone (no bySex, no age bands)', () => {
    const base = shippedProfile('medicare-advantage');
    const everyone = ['pregnancy-normal', 'delivery-vaginal', 'prostate-cancer', 'bph'].map((key) => ({ key, prevalence: 0.5 }));
    const stories = simulatePopulation({ ...base, members: 60, conditions: [...base.conditions.filter((c) => !everyone.some((e) => e.key === c.key)), ...everyone] });
    expect(stories.flatMap(implausible)).toEqual([]);
    expect(stories.some((s) => s.conditions.some((c) => c.key === 'bph'))).toBe(true);
  });
});
