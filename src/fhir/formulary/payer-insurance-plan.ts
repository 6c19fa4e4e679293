import type { CodeableConcept, InsurancePlan, InsurancePlanPlanSpecificCostBenefitCost } from '@medplum/fhirtypes';
import { DRUG_TIERS, pharmacyTierCosts, type TierCost } from '../../profile/pharmacy-tiers.js';
import type { Plan } from '../../profile/types.js';
import { meta, ref, type BuildContext } from '../context.js';
import { payerSystem } from '../carin-bb/common.js';
import { BENEFIT_TYPES, codeable, DRUG_PLAN_TYPE, DRUGPOL, formularyExtension, formularyIds, formularyProfile, USDF_SYSTEMS } from './common.js';
import { coverageStates } from './insurance-plan-location.js';
import { TIER_DISPLAY } from './tiers.js';
import { SYSTEMS } from '../systems.js';

/**
 * usdf-PayerInsurancePlan 2.0.1: a plan of the profile with a pharmacy benefit (every plan but dental) —
 * the payer's formulary, its coverage area, member-services contact, and what a fill costs on
 * each drug tier, for a month and for 90 days at retail. The costs are those the pharmacy claims are
 * adjudicated with (src/story/adjudication.ts pharmacyCostSharing): one copay a fill, whatever its days
 * supply, deductible waived in network; or coinsurance after the deductible.
 */
export function buildPayerInsurancePlan(plan: Plan, ctx: BuildContext): InsurancePlan {
  if (plan.type === 'dental') throw new Error(`plan ${plan.id} is a dental plan: it has no pharmacy benefit`);
  const payer = ctx.directory.payer;
  const tiers = pharmacyTierCosts(plan.costSharing);
  const benefit = DRUG_TIERS.map((tier) => ({
    type: codeable(USDF_SYSTEMS.drugTier, tier, TIER_DISPLAY[tier]),
    cost: [tierCost(tiers[tier], plan)],
  }));
  return {
    resourceType: 'InsurancePlan',
    id: formularyIds.payerPlan(ctx, plan.id),
    meta: meta(ctx, [formularyProfile('usdf-PayerInsurancePlan')]),
    identifier: [{ system: payerSystem(ctx, 'plan-id'), value: plan.id }],
    status: 'active',
    type: [codeable(USDF_SYSTEMS.insuranceProductType, ...PRODUCT_TYPE[plan.type])],
    name: plan.name,
    period: { start: ctx.profile.period.start, end: ctx.profile.period.end },
    ownedBy: ref('Organization', payer.id),
    administeredBy: ref('Organization', payer.id),
    coverageArea: coverageStates(ctx).map((s) => ref('Location', formularyIds.area(ctx, s))),
    contact: [{
      purpose: codeable(USDF_SYSTEMS.contactEntityType, 'PATINF', 'Patient'),
      name: { text: `${payer.name} Member Services` },
      telecom: [{ system: 'phone', value: payer.phone }],
    }],
    coverage: [{
      extension: [{ url: formularyExtension('FormularyReference'), valueReference: ref('InsurancePlan', formularyIds.formulary(ctx)) }],
      type: DRUGPOL,
      benefit: [{ type: DRUG_PLAN_TYPE }],
    }],
    plan: [{
      type: DRUG_PLAN_TYPE,
      specificCost: [BENEFIT_TYPES.month, BENEFIT_TYPES.quarter].map((b) => ({
        category: codeable(USDF_SYSTEMS.pharmacyBenefitType, b.code, b.display),
        benefit,
      })),
    }],
  };
}

/** Plan-Net insurance product types: the profile's plan types have no HMO/PPO split, so the line's general code. */
const PRODUCT_TYPE: Record<Exclude<Plan['type'], 'dental'>, [string, string]> = {
  commercial: ['commppo', 'Commercial PPO'],
  'medicare-advantage': ['mediadv', 'Medicare Advantage'],
  medicaid: ['medi', 'Medicaid'],
};

function tierCost(t: TierCost, plan: Plan): InsurancePlanPlanSpecificCostBenefitCost {
  const deductible = plan.costSharing.deductible > 0;
  if (t.copay !== undefined && t.copay > 0) {
    return {
      type: codeable(USDF_SYSTEMS.benefitCostType, 'copay', 'Copay'),
      qualifiers: [option(deductible ? 'deductible-waived' : 'charge')],
      value: { value: t.copay, unit: '$', system: USDF_SYSTEMS.iso4217, code: 'USD' },
    };
  }
  const rate = t.coinsurance ?? plan.costSharing.coinsurance;
  return {
    type: codeable(USDF_SYSTEMS.benefitCostType, 'coinsurance', 'Coinsurance'),
    qualifiers: [option(rate > 0 ? (deductible ? 'after-deductible' : 'charge') : deductible ? 'no-charge-after-deductible' : 'no-charge')],
    value: { value: Math.round(rate * 10000) / 100, unit: '%', system: SYSTEMS.ucum, code: '%' },
  };
}

const OPTION_DISPLAY: Record<string, string> = {
  'after-deductible': 'After Deductible',
  'deductible-waived': 'Deductible Waived',
  charge: 'Charge',
  'no-charge': 'No Charge',
  'no-charge-after-deductible': 'No Charge After Deductible',
};

function option(code: string): CodeableConcept {
  return codeable(USDF_SYSTEMS.costShareOption, code, OPTION_DISPLAY[code]);
}

