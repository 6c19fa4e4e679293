import type { Basic, InsurancePlan, MedicationKnowledge, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formularyIds } from '../../../src/fhir/formulary/common.js';
import { buildFormularyDirectoryResources } from '../../../src/fhir/formulary/index.js';
import type { DrugTier } from '../../../src/profile/pharmacy-tiers.js';
import { DRUG_TIERS } from '../../../src/profile/pharmacy-tiers.js';
import type { Plan, Profile } from '../../../src/profile/types.js';
import { buildDirectory } from '../../../src/story/directory.js';
import { formularyRule } from '../../../src/story/formulary.js';
import { simulateMember } from '../../../src/story/simulate.js';
import type { ClaimFact, MemberStory } from '../../../src/story/types.js';
import { codeMaps } from '../../helpers/output.js';
import { buildContext, defaultStories, profile } from '../../helpers/population.js';

const ctx = buildContext('6.1.0');
let resources: Resource[];
let stories: MemberStory[];
beforeAll(() => {
  resources = buildFormularyDirectoryResources(ctx);
  stories = defaultStories();
});

const EXT = 'http://hl7.org/fhir/us/davinci-drug-formulary/StructureDefinition/usdf-';
const byId = () => new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));

/** The tier code of a FormularyItem. */
function itemTier(item: Basic): string | undefined {
  return item.extension?.find((e) => e.url === `${EXT}DrugTierID-extension`)?.valueCodeableConcept?.coding?.[0]?.code;
}

/** What the PayerInsurancePlan of `plan` publishes for a month's fill on `tier`: a copay in dollars or a coinsurance in percent. */
function publishedCost(ip: InsurancePlan, tier: string): { copay?: number; coinsurancePercent?: number } {
  const month = ip.plan?.[0]?.specificCost?.find((c) => c.category?.coding?.[0]?.code === '1-month-in-retail');
  const cost = month?.benefit?.find((b) => b.type?.coding?.[0]?.code === tier)?.cost?.[0];
  if (!cost) throw new Error(`${ip.id} publishes no cost for ${tier}`);
  const kind = cost.type?.coding?.[0]?.code;
  return kind === 'copay' ? { copay: cost.value?.value } : { coinsurancePercent: cost.value?.value };
}

function planOf(story: MemberStory, claim: ClaimFact, p: Profile): Plan {
  const coverage = story.coverages.find((c) => c.ordinal === claim.coverageOrdinal)!;
  return p.plans.find((pl) => pl.id === coverage.planId)!;
}

/**
 * Checks every paid pharmacy line of the stories against the plan's published tier cost: a copay tier's
 * copay is the published copay (or the allowed amount, when less), unless the member's out-of-pocket
 * maximum for the plan year cut it.
 */
function checkTierCopays(all: readonly MemberStory[], p: Profile, planResource: (plan: Plan) => InsurancePlan): number {
  let checked = 0;
  for (const story of all) {
    const spent = new Map<string, number>();
    for (const claim of story.claims) {
      const key = `${claim.coverageOrdinal}:${claim.serviceStart.slice(0, 4)}`;
      const before = spent.get(key) ?? 0;
      spent.set(key, before + claim.totals.memberLiability - claim.totals.noncovered);
      if (claim.type !== 'pharmacy' || claim.network !== 'innetwork') continue;
      const plan = planOf(story, claim, p);
      const line = claim.lines[0]!;
      if (line.denial) continue;
      const published = publishedCost(planResource(plan), claim.pharmacy!.tier);
      if (published.copay === undefined || published.copay === 0) continue;
      const expected = Math.min(Math.round(published.copay * 100), line.amounts.allowed);
      if (before + expected > Math.round(plan.costSharing.outOfPocketMax * 100)) {
        expect(line.amounts.copay).toBeLessThanOrEqual(expected);
      } else {
        expect({ claim: claim.claimNumber, copay: line.amounts.copay }).toEqual({ claim: claim.claimNumber, copay: expected });
        expect(line.amounts.deductible + line.amounts.coinsurance).toBe(0);
      }
      checked++;
    }
  }
  return checked;
}

describe('US Drug Formulary resources', () => {
  it('should list every drug the pharmacy claims fill, on the formulary of the claim plan, at the claim tier', () => {
    const index = byId();
    const fills = stories.flatMap((s) => s.claims.filter((c) => c.type === 'pharmacy').map((c) => ({ s, c })));
    expect(fills.length).toBeGreaterThan(50);
    for (const { s, c } of fills) {
      const plan = planOf(s, c, profile);
      if (plan.type === 'dental') throw new Error('pharmacy claim on a dental plan');
      const rxcui = c.pharmacy!.rxnorm;
      const drug = index.get(`MedicationKnowledge/${formularyIds.drug(ctx, rxcui)}`) as MedicationKnowledge | undefined;
      expect(drug?.code?.coding?.[0]?.code).toBe(rxcui);
      const item = index.get(`Basic/${formularyIds.item(ctx, rxcui)}`) as Basic | undefined;
      expect(item, `formulary item of ${rxcui}`).toBeDefined();
      expect(itemTier(item!)).toBe(c.pharmacy!.tier);
      const planResource = index.get(`InsurancePlan/${formularyIds.payerPlan(ctx, plan.id)}`) as InsurancePlan;
      const formularyRef = planResource.coverage?.[0]?.extension?.[0]?.valueReference?.reference;
      expect(item!.extension?.[0]?.valueReference?.reference).toBe(formularyRef);
    }
  });

  it('should give every catalog drug package an item on the formulary, and a PayerInsurancePlan to every plan but dental', () => {
    const rxcuis = new Set([...codeMaps.drugs.values()].map((d) => d.rxnorm.code));
    const items = resources.filter((r) => r.resourceType === 'Basic');
    expect(items.length).toBe(rxcuis.size);
    const plans = resources.filter((r) => r.resourceType === 'InsurancePlan' && r.meta?.profile?.[0]?.includes('usdf-PayerInsurancePlan'));
    expect(plans.map((p) => (p as InsurancePlan).identifier?.[0]?.value)).toEqual(profile.plans.filter((p) => p.type !== 'dental').map((p) => p.id));
  });

  it('should charge each pharmacy claim the copay its plan publishes for the drug tier (default profile)', () => {
    const index = byId();
    const checked = checkTierCopays(stories, profile, (plan) => index.get(`InsurancePlan/${formularyIds.payerPlan(ctx, plan.id)}`) as InsurancePlan);
    expect(checked).toBeGreaterThan(50);
  });

  it('should charge the profile pharmacyTiers copays on the claims, whatever they are (property over members)', () => {
    const tierCopays = fc.record(Object.fromEntries(DRUG_TIERS.map((t) => [t, fc.integer({ min: 1, max: 150 })])) as Record<DrugTier, fc.Arbitrary<number>>);
    fc.assert(
      fc.property(tierCopays, fc.integer({ min: 0, max: 5_000 }), (copays, index) => {
        const p: Profile = {
          ...profile,
          plans: profile.plans.map((pl) => pl.type === 'dental'
            ? pl
            : { ...pl, costSharing: { ...pl.costSharing, pharmacyTiers: Object.fromEntries(DRUG_TIERS.map((t) => [t, { copay: copays[t] }])) } }),
        };
        const dir = buildDirectory(p, codeMaps);
        const story = simulateMember({ profile: p, codeMaps, directory: dir }, index);
        const pctx = { ...ctx, profile: p, directory: dir, plansById: new Map(p.plans.map((pl) => [pl.id, pl])) };
        const built = new Map(buildFormularyDirectoryResources(pctx).map((r) => [`${r.resourceType}/${r.id}`, r]));
        checkTierCopays([story], p, (plan) => built.get(`InsurancePlan/${formularyIds.payerPlan(pctx, plan.id)}`) as InsurancePlan);
      }),
      { numRuns: 25 },
    );
  });

  it('should rank drugs on the CMS five-tier model from their catalog data', () => {
    const row = (over: Partial<Parameters<typeof formularyRule>[0][number]>) => ({ ...[...codeMaps.drugs.values()][0]!, ...over });
    const generic = row({ brand: false, chronic: true, therapeuticClass: 'X' });
    expect(formularyRule([generic], [generic], codeMaps.pricing).tier).toBe('preferred-generic');
    expect(formularyRule([row({ brand: false, chronic: false })], [], codeMaps.pricing).tier).toBe('generic');
    const brand = row({ brand: true, therapeuticClass: 'X' });
    expect(formularyRule([brand], [brand], codeMaps.pricing)).toMatchObject({ tier: 'preferred-brand', priorAuthorization: false });
    expect(formularyRule([brand], [brand, generic], codeMaps.pricing)).toMatchObject({ tier: 'non-preferred-brand', priorAuthorization: true, stepTherapy: true });
    const dear = { ...codeMaps.pricing, drugs: { ...codeMaps.pricing.drugs, brandPer30Days: 2_000 } };
    expect(formularyRule([brand], [brand], dear)).toMatchObject({ tier: 'specialty', priorAuthorization: true });
    const opioid = row({ brand: false, therapeuticClass: 'Opioid Analgesics, Short-acting', quantity: 20, daysSupply: 5 });
    expect(formularyRule([opioid], [opioid], codeMaps.pricing).quantityLimit).toEqual({ perDay: 4, unit: opioid.quantityUnit });
  });
});
