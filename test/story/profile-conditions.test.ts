import { beforeAll, describe, expect, it } from 'vitest';
import type { BuildContext } from '../../src/fhir/context.js';
import { buildCarinBbMemberResources } from '../../src/fhir/carin-bb/index.js';
import { buildUsCoreMemberResources, layerUsCore } from '../../src/fhir/us-core/index.js';
import { IG_NAMES } from '../../src/profile/igs.js';
import type { Profile } from '../../src/profile/types.js';
import { buildReport } from '../../src/report/build.js';
import { snomedGroups } from '../../src/report/conditions.js';
import { MemberCollector } from '../../src/report/members.js';
import { loadTargets } from '../../src/report/targets.js';
import { planProfile } from '../../src/profile/plan-settings.js';
import { plausibleFor, prevalenceFor } from '../../src/story/conditions.js';
import { buildDirectory } from '../../src/story/directory.js';
import { isDelivery, simulateMember } from '../../src/story/simulate.js';
import type { MemberStory } from '../../src/story/types.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

/**
 * profiles/README.md `conditions[]`: the list is the members' chronic conditions and `prevalence` the chance a
 * member has one. Visits for a new problem add acute conditions only (the profile's acute rows, else unlisted
 * acute ones outside the CMS CCW conditions), so a chronic condition the profile does not list never appears,
 * and a listed one reads in `report` at about the rate asked (new-user trial s16 P5: with `conditions: []` a
 * commercial book under 65 read diabetes 8.7 %, ischaemic heart disease 7.3 %; type 2 diabetes asked at 6 % read
 * 14.7 %). A commercial book of 0–64 without the coverage plan's showcase members (whose operation may bring one).
 */
function commercialUnder65(members: number, conditions: Profile['conditions']): Profile {
  const base = shippedProfile('commercial');
  const ageBands = [{ min: 0, max: 17, share: 0.25 }, { min: 18, max: 44, share: 0.45 }, { min: 45, max: 64, share: 0.3 }];
  return { ...base, members, coveragePlan: false, demographics: { ...base.demographics, ageBands }, conditions };
}

function stories(profile: Profile): { stories: MemberStory[]; ctx: BuildContext } {
  const directory = buildDirectory(profile, codeMaps);
  const ctx: BuildContext = {
    profile, codeMaps, directory, runId: 'conditions', lastUpdated: `${profile.period.end}T00:00:00Z`, usCoreVersion: profile.usCore,
    plansById: new Map(profile.plans.map((p) => [p.id, p])), igs: new Set(IG_NAMES),
  };
  return { stories: Array.from({ length: profile.members }, (_, i) => simulateMember({ profile, codeMaps, directory }, i)), ctx };
}

/** The listed keys and their catalog variants (a member drawn with type 2 diabetes may have diabetic CKD instead). */
function listedKeys(profile: Profile): Set<string> {
  const keys = new Set<string>();
  for (const c of profile.conditions) {
    keys.add(c.key);
    for (const v of codeMaps.conditions.get(c.key)?.variants ?? []) keys.add(v.row.key);
  }
  return keys;
}

/** Conditions of the stories that are chronic or a CMS CCW condition and not on the profile's list: `key (member index)`. */
function unlistedChronic(profile: Profile, all: MemberStory[]): string[] {
  const listed = listedKeys(profile);
  return all.flatMap((s) =>
    s.conditions
      .filter((c) => {
        const row = codeMaps.conditions.get(c.key)!;
        return (row.chronic || row.ccw !== undefined) && !listed.has(c.key);
      })
      .map((c) => `${c.key} (${s.index})`),
  );
}

describe('the profile’s conditions govern the chronic conditions', () => {
  it('should add no chronic condition to a book whose profile lists none (conditions: [])', () => {
    const profile = commercialUnder65(80, []);
    const { stories: all } = stories(profile);
    expect(unlistedChronic(profile, all)).toEqual([]);
    // The visits still have reasons: new acute problems.
    expect(all.filter((s) => s.conditions.length > 0).length).toBeGreaterThan(20);
  });

  it('should leave the shipped profiles as calibrated: at every age and sex each kind of visit has an acute condition of theirs', () => {
    // So a new problem never comes from outside their lists, and their outputs (and report targets) are what they were.
    const uncovered: string[] = [];
    for (const name of ['default', 'commercial', 'medicaid', 'medicare-advantage']) {
      const base = shippedProfile(name);
      for (const plan of [undefined, ...base.plans]) {
        const profile = planProfile(base, plan);
        for (const sex of ['female', 'male'] as const) {
          for (let age = 0; age <= 110; age++) {
            for (const [kind, admission, needsDrug] of [['visit', false, false], ['admission', true, false], ['prescription', false, true]] as const) {
              const fits = profile.conditions.some((c) => {
                const row = codeMaps.conditions.get(c.key)!;
                return !row.chronic && prevalenceFor(c, age, sex) > 0 && plausibleFor(row, age, sex) && (admission ? row.drgs.length > 0 : !isDelivery(row)) && (!needsDrug || row.drugs.length > 0);
              });
              if (!fits) uncovered.push(`${name} ${plan?.id ?? ''} ${sex} ${age} ${kind}`);
            }
          }
        }
      }
    }
    expect(uncovered).toEqual([]);
  });

  describe('a profile listing only chronic conditions', () => {
    const profile = commercialUnder65(150, [
      { key: 'hypertension', prevalence: 0.15 },
      { key: 'diabetes-type-2', prevalence: 0.06 },
      { key: 'asthma', prevalence: 0.08 },
    ]);
    let all: MemberStory[] = [];
    let ctx: BuildContext;
    beforeAll(() => ({ stories: all, ctx } = stories(profile)));

    it('should have no other chronic condition', () => {
      expect(unlistedChronic(profile, all)).toEqual([]);
    });

    it('should read in report at about the prevalences asked', () => {
      const collector = new MemberCollector(snomedGroups());
      for (const story of all) {
        for (const r of [...buildCarinBbMemberResources(story, ctx).map((x) => layerUsCore(x, story, ctx)), ...buildUsCoreMemberResources(story, ctx)]) {
          if (['Patient', 'Coverage', 'ExplanationOfBenefit', 'Condition'].includes(r.resourceType)) collector.add(r);
        }
      }
      const rows = buildReport(collector.result, loadTargets(), 'conditions', 'built-in').books.find((b) => b.book === 'all')!.rows;
      const prevalence = (key: string) => rows.find((r) => r.statistic === `prevalence.${key}` && r.population.minAge === undefined)!.measured!;
      // Stratified draws (src/story/strata.ts) hold each rate within a few members of 150; plausibleFor may drop a child's.
      expect(Math.abs(prevalence('diabetes') - 0.06)).toBeLessThanOrEqual(0.025);
      expect(Math.abs(prevalence('hypertension') - 0.15)).toBeLessThanOrEqual(0.04);
      expect(Math.abs(prevalence('asthma') - 0.08)).toBeLessThanOrEqual(0.03);
      for (const unlisted of ['ckd', 'ischaemic-heart-disease', 'copd', 'heart-failure', 'depression', 'osteoarthritis', 'hyperlipidaemia']) {
        expect({ unlisted, prevalence: prevalence(unlisted) }).toEqual({ unlisted, prevalence: 0 });
      }
    });
  });
});
