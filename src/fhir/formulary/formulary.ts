import type { InsurancePlan } from '@medplum/fhirtypes';
import { meta, type BuildContext } from '../context.js';
import { payerSystem } from '../carin-bb/common.js';
import { DRUGPOL, formularyIds, formularyProfile } from './common.js';

/**
 * usdf-Formulary 2.0.1 (InsurancePlan of type DRUGPOL): the payer's formulary for the profile's period,
 * which every plan with a pharmacy benefit uses (its tiers follow one rule from the drug data, whatever the plan).
 */
export function buildFormulary(ctx: BuildContext): InsurancePlan {
  const year = ctx.profile.period.start.slice(0, 4);
  return {
    resourceType: 'InsurancePlan',
    id: formularyIds.formulary(ctx),
    meta: meta(ctx, [formularyProfile('usdf-Formulary')]),
    identifier: [{ system: payerSystem(ctx, 'formulary-id'), value: year }],
    status: 'active',
    type: [DRUGPOL],
    name: `${ctx.directory.payer.name} Formulary ${year}`,
    period: { start: ctx.profile.period.start, end: ctx.profile.period.end },
  };
}
