import type { InsurancePlan } from '@medplum/fhirtypes';
import type { Plan } from '../../profile/types.js';
import type { NetworkFact, PlanNetDirectory } from '../../story/plan-net-directory.js';
import { meta, ref, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { planIdSystem, planNetConcept, planNetIds, planNetProfile } from './common.js';

/** InsuranceProductTypeCS code of a plan: commercial plans by their name (HMO, else PPO). */
function productType(plan: Plan): [string, string] {
  switch (plan.type) {
    case 'medicare-advantage':
      return /hmo/i.test(plan.name) ? ['mediadvhmo', 'Medicare Advantage HMO'] : ['mediadv', 'Medicare Advantage'];
    case 'medicaid':
      return /hmo|managed/i.test(plan.name) ? ['medihmo', 'Medicaid HMO'] : ['medi', 'Medicaid'];
    case 'dental':
      return /hmo/i.test(plan.name) ? ['denthmo', 'Dental HMO'] : ['dent', 'Dental Plan'];
    default:
      return /hmo/i.test(plan.name) ? ['commhmo', 'Commercial HMO'] : /epo/i.test(plan.name) ? ['commepo', 'Commercial EPO'] : ['commppo', 'Commercial PPO'];
  }
}

const money = (value: number) => ({ value, currency: 'USD' as const });
const dollars = (value: number) => ({ value, unit: 'USD', system: SYSTEMS.iso4217, code: 'USD' });
const BENEFIT_CATEGORY = SYSTEMS.benefitCategory;

/**
 * Plan-Net InsurancePlan: one of the profile's plans with its network and cost sharing (deductible and
 * out-of-pocket maximum as general costs; copays by claim type and coinsurance as specific costs).
 * High- or low-deductible by the IRS HDHP floor ($1,650 single, 2025).
 */
export function buildPlanNetInsurancePlan(plan: Plan, network: NetworkFact, ctx: BuildContext, pn: PlanNetDirectory): InsurancePlan {
  const payer = ctx.directory.payer;
  const [code, display] = productType(plan);
  const cost = plan.costSharing;
  const copays = Object.entries(cost.copay).filter(([, v]) => v !== undefined) as [string, number][];
  return {
    resourceType: 'InsurancePlan',
    id: planNetIds.insurancePlan(network.id),
    meta: meta(ctx, [planNetProfile('plannet-InsurancePlan')]),
    identifier: [
      {
        type: { coding: [{ system: SYSTEMS.v2IdentifierType, code: 'NIIP', display: 'National Insurance Payor Identifier (Payor)' }] },
        system: planIdSystem(ctx),
        value: plan.id,
        assigner: ref('Organization', payer.id),
      },
    ],
    status: 'active',
    type: [planNetConcept('planNetInsuranceProductType', code, display)],
    name: plan.name,
    alias: [`${payer.name} ${plan.name}`],
    period: { start: ctx.profile.period.start, end: ctx.profile.period.end },
    ownedBy: ref('Organization', payer.id),
    administeredBy: ref('Organization', payer.id),
    coverageArea: [ref('Location', pn.serviceAreaId)],
    contact: [{ name: { text: 'Member Services' }, telecom: [{ system: 'phone', value: payer.phone, use: 'work' }] }],
    endpoint: [ref('Endpoint', planNetIds.payerEndpoint(payer.id))],
    network: [ref('Organization', network.id)],
    plan: [
      {
        identifier: [{ system: planIdSystem(ctx), value: `${plan.id}-${ctx.profile.period.start.slice(0, 4)}` }],
        type: cost.deductible >= 1650 ? planNetConcept('planNetInsurancePlanType', 'highdeductible', 'High Deductible') : planNetConcept('planNetInsurancePlanType', 'lowdeductible', 'Low Deductible'),
        coverageArea: [ref('Location', pn.serviceAreaId)],
        network: [ref('Organization', network.id)],
        generalCost: [
          { type: { text: 'Annual deductible, per member' }, cost: money(cost.deductible) },
          { type: { text: 'Annual out-of-pocket maximum, per member' }, cost: money(cost.outOfPocketMax) },
        ],
        specificCost: [
          {
            category: { coding: [{ system: BENEFIT_CATEGORY, code: plan.type === 'dental' ? 'F3' : '1', display: plan.type === 'dental' ? 'Dental Coverage' : 'Medical Care' }] },
            benefit: [
              ...copays.map(([claimType, value]) => ({
                type: { text: `${claimType} claim` },
                cost: [{ type: { text: 'copay' }, value: dollars(value) }],
              })),
              { type: { text: 'in network, after the deductible' }, cost: [{ type: { text: 'coinsurance' }, value: { value: cost.coinsurance * 100, unit: '%', system: SYSTEMS.ucum, code: '%' } }] },
              ...(cost.outOfNetworkCoinsurance !== undefined
                ? [{ type: { text: 'out of network' }, cost: [{ type: { text: 'coinsurance' }, value: { value: cost.outOfNetworkCoinsurance * 100, unit: '%', system: SYSTEMS.ucum, code: '%' } }] }]
                : []),
            ],
          },
        ],
      },
    ],
  };
}
