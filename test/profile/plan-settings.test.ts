import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/profile/load.js';
import type { Plan, Profile } from '../../src/profile/types.js';
import { buildDirectory } from '../../src/story/directory.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { simulateMember } from '../../src/story/simulate.js';
import type { MemberStory } from '../../src/story/types.js';
import { ageOn } from '../../src/util/dates.js';
import { ProfileError } from '../../src/util/errors.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

/**
 * Issue 10: a plan's own `utilization`, `ageBands` and `conditions` (plans[] in the profile) apply to
 * its members, so a mixed payer's books each get their own rates; bad values are one-line errors at
 * file:line:column. One 120-member population (no coverage plan) is shared by the simulation cases.
 */
const MEMBERS = 120;

/** Two commercial plans with opposite rates and ages, a dental plan without oral visits. */
function twoBooks(): Profile {
  const base = shippedProfile('default');
  const costSharing = base.plans[0]!.costSharing;
  const plan = (id: string, extra: Partial<Plan>): Plan => ({ id, name: id, type: 'commercial', share: 0.5, group: { id: `G-${id}`, name: id }, costSharing, ...extra });
  return {
    ...base,
    members: MEMBERS,
    coveragePlan: false,
    plans: [
      plan('quiet', {
        utilization: { professional: 1, outpatient: 0, emergency: 0, inpatient: 0, pharmacy: 0 },
        ageBands: [{ min: 30, max: 39, share: 1 }],
      }),
      plan('busy', {
        utilization: { professional: 1, outpatient: 3, emergency: 1, inpatient: 0, pharmacy: 2, nonUsers: 0 },
        ageBands: [{ min: 50, max: 59, share: 1 }],
        conditions: [{ key: 'hypertension', prevalence: 1 }],
      }),
      { id: 'dental', name: 'Dental', type: 'dental', share: 1, group: { id: 'D', name: 'D' }, costSharing: { deductible: 0, coinsurance: 0.2, outOfPocketMax: 1000, copay: {} }, utilization: { oral: 0 } },
    ],
  };
}

describe('per-plan utilization, age bands and conditions', () => {
  const byPlan = new Map<string, MemberStory[]>();
  let profile: Profile;

  beforeAll(() => {
    profile = twoBooks();
    expect(profile.utilization.outpatient).toBeGreaterThan(0);
    expect(profile.utilization.oral).toBeGreaterThan(0);
    const directory = buildDirectory(profile, codeMaps);
    for (let i = 0; i < MEMBERS; i++) {
      const story = simulateMember({ profile, codeMaps, directory }, i);
      const planId = story.coverages.find((c) => c.planType !== 'dental')!.planId;
      byPlan.set(planId, [...(byPlan.get(planId) ?? []), story]);
    }
  }, 120_000);

  const claims = (planId: string, type: string) => (byPlan.get(planId) ?? []).flatMap((s) => s.claims.filter((c) => c.type === type));
  const memberYears = (planId: string) =>
    (byPlan.get(planId) ?? []).reduce((sum, s) => {
      const c = s.coverages.find((x) => x.planType !== 'dental')!;
      return sum + (Date.parse(c.end) - Date.parse(c.start) + 86_400_000) / (365 * 86_400_000);
    }, 0);

  it("should draw each member's age from their plan's own age bands", () => {
    for (const [planId, band] of [['quiet', [30, 39]], ['busy', [50, 59]]] as const) {
      const ages = (byPlan.get(planId) ?? []).map((s) => ageOn(s.member.birthDate, profile.period.start));
      expect(ages.length).toBeGreaterThan(MEMBERS / 4);
      expect(ages.every((a) => a >= band[0] && a <= band[1])).toBe(true);
    }
  });

  it("should give each plan's members their plan's rates over the profile's", () => {
    // 'quiet' has no outpatient and no pharmacy (chronic refills included); the profile's rates would give both.
    expect(claims('quiet', 'outpatient')).toHaveLength(0);
    expect(claims('quiet', 'pharmacy')).toHaveLength(0);
    // 'busy': 3 outpatient claims per member-year; within four Poisson standard errors.
    const years = memberYears('busy');
    const rate = claims('busy', 'outpatient').length / years;
    expect(Math.abs(rate - 3)).toBeLessThan(4 * Math.sqrt(3 / years));
    expect(claims('busy', 'pharmacy').length).toBeGreaterThan(0);
    // The dental plan's own oral rate (0) over the profile's.
    expect([...byPlan.values()].flat().flatMap((s) => s.claims.filter((c) => c.type === 'oral'))).toHaveLength(0);
  });

  it("should replace the profile's condition row by the plan's own for its members only", () => {
    const share = (planId: string) => {
      const members = byPlan.get(planId) ?? [];
      return members.filter((s) => s.conditions.some((c) => c.key === 'hypertension')).length / members.length;
    };
    // Prevalence 1 on the plan (the co-occurrence model and onsets after the period take a few); the profile's row at 30-39 is far lower.
    expect(share('busy')).toBeGreaterThan(0.8);
    expect(share('quiet')).toBeLessThan(0.3);
  });
});

describe('per-plan settings: bad values', () => {
  const options = profileLoadOptions(codeMaps);
  const defaultText = readFileSync(join('profiles', 'default.yaml'), 'utf8');

  function errorAt(from: string, to: string, needle: string): { e: ProfileError; line: number; col: number } {
    expect(defaultText).toContain(from);
    const text = defaultText.replace(from, to);
    const at = text.indexOf(needle, text.indexOf(to));
    let error: unknown;
    try {
      parseProfile(text, 'bad.yaml', options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileError);
    return { e: error as ProfileError, line: text.slice(0, at).split('\n').length, col: at - text.lastIndexOf('\n', at - 1) };
  }

  const commercialUse = 'utilization: { professional: 4, outpatient: 1.6, emergency: 0.235,';
  it.each([
    ['an oral rate on a medical plan', commercialUse, 'utilization: { oral: 2, professional: 4, outpatient: 1.6, emergency: 0.235,', '2, professional', 'plans[0].utilization.oral', 'does not pay oral claims'],
    ['a negative rate', commercialUse, 'utilization: { professional: -1, outpatient: 1.6, emergency: 0.235,', '-1', 'plans[0].utilization.professional', 'must be ≥ 0'],
    ['more emergency visits than outpatient', commercialUse, 'utilization: { professional: 4, outpatient: 1.6, emergency: 2.5,', '2.5', 'plans[0].utilization.emergency', 'emergency 2.5 is more than outpatient 1.6'],
    ["plan age bands that do not sum to 1 (at the first band's share, listing them)", '{ min: 18, max: 64, share: 0.13 }', '{ min: 18, max: 64, share: 0.23 }', '0.23 }', 'plans[2].ageBands[0].share', 'ageBands shares sum to 1.1, not 1 (18-64 0.23, 65-74 0.48, 75-84 0.29, 85-100 0.1)'],
    ['overlapping plan age bands', '{ min: 75, max: 84, share: 0.29 }', '{ min: 74, max: 84, share: 0.29 }', '74', 'plans[2].ageBands[2].min', 'age band 74-84 overlaps 65-74'],
    ['a plan condition the profile does not list', '        byAgeBand:\n          - { min: 65, max: 110, prevalence: 0.6 }\n', '        byAgeBand:\n          - { min: 65, max: 110, prevalence: 0.6 }\n      - { key: esrd, prevalence: 0.01 }\n', 'esrd', 'plans[2].conditions[1].key', "condition 'esrd' is not in the profile's conditions"],
    ['a plan condition prevalence over 1', '      - key: diabetes-type-2\n        prevalence: 0.28', '      - key: diabetes-type-2\n        prevalence: 2.8', '2.8', 'plans[2].conditions[1].prevalence', 'is not a share'],
  ])('should refuse %s, located at the value', (_what, from, to, needle, field, problem) => {
    const { e, line, col } = errorAt(from, to, needle);
    expect(e.field).toBe(field);
    expect([e.line, e.column]).toEqual([line, col]);
    expect(e.message).toContain(problem);
    expect(e.message.split('\n')).toHaveLength(1);
  });
});
