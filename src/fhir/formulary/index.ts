import type { Resource } from '@medplum/fhirtypes';
import { formularyOf } from '../../story/formulary.js';
import type { BuildContext } from '../context.js';
import { pharmacyPlans } from './common.js';
import { buildFormulary } from './formulary.js';
import { buildFormularyDrug } from './formulary-drug.js';
import { buildFormularyItem } from './formulary-item.js';
import { buildInsurancePlanLocation, coverageStates } from './insurance-plan-location.js';
import { buildPayerInsurancePlan } from './payer-insurance-plan.js';

/**
 * The payer's US Drug Formulary 2.0.1 resources, population level (the directory bundle): coverage
 * areas, the plans with a pharmacy benefit, the payer's formulary, every drug of the catalog (each NDC
 * the pharmacy claims fill belongs to one) and its item on the formulary. Load order:
 * what a resource references comes before it. None when no plan has a pharmacy benefit.
 */
export function buildFormularyDirectoryResources(ctx: BuildContext): Resource[] {
  const plans = pharmacyPlans(ctx);
  if (!plans.length) return [];
  const entries = [...formularyOf(ctx.codeMaps).values()];
  return [
    ...coverageStates(ctx).map((s) => buildInsurancePlanLocation(s, ctx)),
    buildFormulary(ctx),
    ...plans.map((p) => buildPayerInsurancePlan(p, ctx)),
    ...entries.map((e) => buildFormularyDrug(e, ctx)),
    ...entries.map((e) => buildFormularyItem(e, ctx)),
  ];
}
