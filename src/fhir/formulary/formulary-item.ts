import type { Basic, Extension } from '@medplum/fhirtypes';
import type { FormularyEntry } from '../../story/formulary.js';
import { SYSTEMS } from '../../util/systems.js';
import { meta, ref, type BuildContext } from '../context.js';
import { BENEFIT_TYPES, codeable, formularyExtension, formularyIds, formularyProfile, USDF_SYSTEMS } from './common.js';
import { TIER_DISPLAY } from './tiers.js';

/**
 * usdf-FormularyItem 2.0.1 (Basic): a drug on the payer's formulary — its tier, the
 * pharmacy benefit types it is dispensed under, prior authorization, step therapy and quantity limit
 * (src/story/formulary.ts says how each is derived), available for the profile's period.
 */
export function buildFormularyItem(entry: FormularyEntry, ctx: BuildContext): Basic {
  const rxcui = entry.rxnorm.code;
  const ext = (name: string, value: Omit<Extension, 'url'>): Extension => ({ url: formularyExtension(name), ...value });
  const benefits = entry.chronic ? [BENEFIT_TYPES.month, BENEFIT_TYPES.quarter] : [BENEFIT_TYPES.month];
  const limit = entry.quantityLimit;
  return {
    resourceType: 'Basic',
    id: formularyIds.item(ctx, rxcui),
    meta: meta(ctx, [formularyProfile('usdf-FormularyItem')]),
    extension: [
      ext('FormularyReference', { valueReference: ref('InsurancePlan', formularyIds.formulary(ctx)) }),
      ext('AvailabilityStatus', { valueCode: 'active' }),
      ext('AvailabilityPeriod', { valuePeriod: { start: ctx.profile.period.start, end: ctx.profile.period.end } }),
      ...benefits.map((b) => ext('PharmacyBenefitType', { valueCodeableConcept: codeable(USDF_SYSTEMS.pharmacyBenefitType, b.code, b.display) })),
      ext('DrugTierID', { valueCodeableConcept: codeable(USDF_SYSTEMS.drugTier, entry.tier, TIER_DISPLAY[entry.tier]) }),
      ext('PriorAuthorization', { valueBoolean: entry.priorAuthorization }),
      ext('StepTherapyLimit', { valueBoolean: entry.stepTherapy }),
      ext('QuantityLimit', { valueBoolean: limit !== undefined }),
      ...(limit
        ? [ext('QuantityLimitDetail', {
            extension: [
              { url: 'Description', valueString: `At most ${limit.perDay} ${limit.unit === 'ML' ? 'mL' : 'units'} a day` },
              { url: 'MaximumDaily', valueQuantity: limit.unit === 'ML'
                ? { value: limit.perDay, unit: 'mL', system: SYSTEMS.ucum, code: 'mL' }
                : { value: limit.perDay, unit: 'each', system: SYSTEMS.ucum, code: '1' } },
            ],
          })]
        : []),
    ],
    code: codeable(USDF_SYSTEMS.insuranceItemType, 'formulary-item', 'Formulary Item'),
    subject: ref('MedicationKnowledge', formularyIds.drug(ctx, rxcui)),
  };
}
