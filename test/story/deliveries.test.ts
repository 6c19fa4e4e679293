import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/profile/types.js';
import { buildDirectory } from '../../src/story/directory.js';
import { addDays } from '../../src/util/dates.js';
import { isDelivery, simulateMember } from '../../src/story/simulate.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

/**
 * Births are hospital stays (98.4% of US births, NCHS 2021): each delivery a member has in her
 * coverage is an inpatient claim on the delivery day with a delivery MS-DRG and the delivery's
 * ICD-10-PCS code as principal procedure. Measured on 60 Medicaid members, all women of 18-44 with
 * only the two delivery conditions at high prevalence (about 25 deliveries), to stay fast.
 */
describe('deliveries', () => {
  it('should know the delivery rows of the catalog by their MS-DRGs, and nothing else', () => {
    const rows = [...codeMaps.conditions.values()].filter(isDelivery).map((r) => r.key).sort();
    expect(rows).toEqual(['cesarean-delivery', 'delivery-vaginal']);
  });

  it('should bill a delivery in coverage as an inpatient stay with a delivery MS-DRG and ICD-10-PCS code', () => {
    const base = shippedProfile('medicaid');
    const profile: Profile = {
      ...base,
      members: 60,
      coveragePlan: false,
      demographics: { ...base.demographics, ageBands: [{ min: 18, max: 44, share: 1 }], sex: [{ code: 'female', share: 1 }] },
      conditions: [{ key: 'delivery-vaginal', prevalence: 0.35 }, { key: 'cesarean-delivery', prevalence: 0.2 }],
    };
    const directory = buildDirectory(profile, codeMaps);
    let deliveries = 0;
    let inHospital = 0;
    for (let index = 0; index < profile.members; index++) {
      const story = simulateMember({ profile, codeMaps, directory }, index);
      const medical = story.coverages.find((c) => c.planType !== 'dental');
      // Claims of the last weeks are still in flight at "now".
      const claims = [...story.claims, ...(story.inFlightClaims ?? [])];
      for (const condition of story.conditions) {
        const row = codeMaps.conditions.get(condition.key)!;
        // Services end 45 days before the period does (claims are paid by its end), or at death.
        const last = [medical?.end, story.member.deceasedDate, addDays(profile.period.end, -45)].filter((d): d is string => !!d).sort()[0]!;
        if (!isDelivery(row) || !medical || condition.onset < medical.start || condition.onset > last) continue;
        deliveries++;
        const stay = claims.find((c) => c.type === 'inpatient' && c.serviceStart === condition.onset && row.drgs.includes(c.institutional?.drg ?? ''));
        if (!stay) continue;
        inHospital++;
        const pcs = new Set(row.pcs.map((k) => codeMaps.pcs.get(k)?.code));
        expect(pcs.has(stay.procedures.find((p) => p.role === 'principal')?.pcs)).toBe(true);
        expect(claims.some((c) => c.type === 'professional' && c.serviceStart === condition.onset)).toBe(true);
      }
    }
    expect(deliveries).toBeGreaterThanOrEqual(10);
    // 98.4% in hospital: with a few deliveries, all or all but one.
    expect(inHospital).toBeGreaterThanOrEqual(deliveries - 1);
  });
});
