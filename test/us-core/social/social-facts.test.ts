import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemberStory } from '../../../src/story/types.js';
import { ageOn } from '../../../src/util/dates.js';
import { randomProfiles } from '../../helpers/arbitraries.js';
import { codeMaps } from '../../helpers/output.js';
import { simulatePopulation } from '../../helpers/population.js';

const { phq9, hvs, prapare } = codeMaps.clinical.social;

function checkMember(story: MemberStory): void {
  const s = story.clinical.social;
  const m = story.member;
  const age = (date: string) => ageOn(m.birthDate, date);
  const visits = new Map(story.clinical.encounters.map((e) => [e.ordinal, e]));
  const recorded = [s.smokingStatus, s.occupation, s.pregnancyStatus, s.pregnancyIntent, s.sexualOrientation, ...s.phq9, ...s.hvs, ...s.sdohFindings, ...s.prapare, ...s.familyHistory];
  // Every fact is taken at a visit of the member (an encounter behind its claims), on its date, by its clinician.
  for (const r of recorded) {
    if (!r) continue;
    const visit = visits.get(r.encounterOrdinal);
    expect(visit).toBeDefined();
    expect(r.date).toBe(visit!.start);
    expect(r.practitionerId).toBe(visit!.practitionerId);
    expect(visit!.kind).not.toBe('dental');
  }
  if (s.smokingStatus) expect(age(s.smokingStatus.date)).toBeGreaterThanOrEqual(13);
  for (const p of [s.pregnancyStatus, s.pregnancyIntent]) {
    if (!p) continue;
    expect(m.sex).toBe('female');
    expect(age(p.date)).toBeGreaterThanOrEqual(15);
    expect(age(p.date)).toBeLessThanOrEqual(50);
  }
  if (s.pregnancyStatus?.value.code === '77386006') expect(s.pregnancyIntent).toBeUndefined();
  if (s.sexualOrientation) expect(age(s.sexualOrientation.date)).toBeGreaterThanOrEqual(18);
  if (s.occupation) {
    expect(age(s.occupation.date)).toBeGreaterThanOrEqual(18);
    expect(s.occupation.since <= s.occupation.date).toBe(true);
    expect(age(s.occupation.since)).toBeGreaterThanOrEqual(17);
  }
  for (const f of s.phq9) {
    expect(age(f.date)).toBeGreaterThanOrEqual(12);
    expect(f.itemScores).toHaveLength(phq9.items.length);
    expect(f.itemScores.every((x) => Number.isInteger(x) && x >= 0 && x <= 3)).toBe(true);
    expect(f.total).toBe(f.itemScores.reduce((a, b) => a + b, 0));
    if (f.total === 0) expect(f.difficulty).toBe('not-applicable');
  }
  for (const f of s.hvs) {
    expect(age(f.date)).toBeGreaterThanOrEqual(18);
    expect(f.atRisk).toBe(f.answers.some((a) => hvs.answers[a]!.atRisk));
  }
  expect(s.prapare.length).toBeLessThanOrEqual(story.index % 4 === 0 ? 1 : 0);
  for (const f of s.prapare) {
    expect(age(f.date)).toBeGreaterThanOrEqual(18);
    expect(f.groups.map((g) => g.length)).toEqual(prapare.groups.map((g) => g.questions.length));
    prapare.groups.forEach((g, gi) => g.questions.forEach((q, qi) => {
      const a = f.groups[gi]![qi]!;
      if (q.type === 'choice' && 'choices' in a) {
        expect(a.choices.every((i) => i >= 0 && i < q.answers!.length)).toBe(true);
        expect(a.choices.length).toBeLessThanOrEqual(q.repeats ? 2 : 1);
        if (a.choices.length > 1) expect(a.choices.some((i) => q.answers![i]!.exclusive)).toBe(false);
      } else if (q.range && 'value' in a) {
        expect(a.value).toBeGreaterThanOrEqual(q.range.min);
        expect(a.value).toBeLessThanOrEqual(q.range.max);
      } else expect(q.type === 'string' && 'text' in a).toBe(true);
    }));
  }
  expect(s.familyHistory.length).toBeLessThanOrEqual(story.index % 8 === 0 ? 1 : 0);
  for (const f of s.familyHistory) {
    for (const r of f.relatives) {
      if (r.living) expect(r.age).toBeGreaterThanOrEqual(age(f.date) + 20);
      else expect(r.ageAtDeath).toBeLessThan(codeMaps.clinical.social.ussgFht.ageAtDeath.answers.length);
    }
  }
  expect(s.sdohFindings.map((f) => f.encounterOrdinal)).toEqual(s.hvs.map((f) => f.encounterOrdinal));
  // Patient demographics follow the member's sex; a previous name or address ends before it is replaced.
  expect(s.patient.birthSex).toBe(m.sex === 'female' ? 'F' : 'M');
  expect(s.patient.sex.code).toBe(m.sex === 'female' ? '248152002' : '248153007');
  if (m.race.code === '1002-5') expect(s.patient.tribalAffiliation).toBeDefined();
  if (s.patient.previousName) expect(s.patient.previousName.end < (story.coverages[0]?.start ?? '9999')).toBe(true);
  if (s.patient.previousAddress) expect(s.patient.previousAddress.end < (story.coverages[0]?.start ?? '9999')).toBe(true);
}

describe('social facts (src/story/clinical/social.ts)', () => {
  it('keep the age and sex rules, sum the PHQ-9 and sit on the member’s visits, for any profile and seed', () => {
    fc.assert(
      fc.property(randomProfiles, (profile) => {
        simulatePopulation(profile).forEach(checkMember);
      }),
      { numRuns: 15 },
    );
  });

  it('are the same for the same profile and seed', () => {
    fc.assert(
      fc.property(randomProfiles, (profile) => {
        const run = () => JSON.stringify(simulatePopulation(profile).map((m) => m.clinical.social));
        expect(run()).toBe(run());
      }),
      { numRuns: 5 },
    );
  });
});
