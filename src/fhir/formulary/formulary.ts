import type { InsurancePlan } from '@medplum/fhirtypes';
import { meta, type BuildContext } from '../context.js';
import { payerSystem } from '../carin-bb/common.js';
import { DRUGPOL, formularyIds, formularyProfile, lineLabel, type FormularyLine } from './common.js';

/** usdf-Formulary 2.0.1 (InsurancePlan of type DRUGPOL): the formulary of one line of business, for the profile's period. */
export function buildFormulary(line: FormularyLine, ctx: BuildContext): InsurancePlan {
  const year = ctx.profile.period.start.slice(0, 4);
  return {
    resourceType: 'InsurancePlan',
    id: formularyIds.formulary(ctx, line),
    meta: meta(ctx, [formularyProfile('usdf-Formulary')]),
    identifier: [{ system: payerSystem(ctx, 'formulary-id'), value: `${line}-${year}` }],
    status: 'active',
    type: [DRUGPOL],
    name: `${ctx.directory.payer.name} ${lineLabel(line)} Formulary ${year}`,
    period: { start: ctx.profile.period.start, end: ctx.profile.period.end },
  };
}
