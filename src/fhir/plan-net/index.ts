import type { Resource } from '@medplum/fhirtypes';
import type { PlanNetDirectory } from '../../story/plan-net-directory.js';
import type { BuildContext } from '../context.js';
import { buildPlanNetHealthcareService, buildPlanNetOrganizationAffiliation, buildPlanNetTelehealthService } from './healthcare-service.js';
import { buildPlanNetInsurancePlan } from './insurance-plan.js';
import { layerPlanNet } from './layer.js';
import { buildPlanNetNetwork, buildPlanNetPayerEndpoint, buildPlanNetServiceArea } from './network.js';

/**
 * What Plan-Net adds to the directory, in load order: the payer's endpoint and service area, a
 * Network and an InsurancePlan per plan, a HealthcareService per provider organization (and a
 * telehealth one per clinic), an OrganizationAffiliation per organization and network it is in.
 * The organizations, practitioners, roles, locations and endpoints themselves are the directory's,
 * with the Plan-Net profiles layered on (layerPlanNet).
 */
export function buildPlanNetDirectoryResources(ctx: BuildContext, pn: PlanNetDirectory): Resource[] {
  const orgs = ctx.directory.organizations;
  return [
    buildPlanNetPayerEndpoint(ctx),
    buildPlanNetServiceArea(ctx, pn),
    ...pn.networks.map((n) => buildPlanNetNetwork(n, ctx, pn)),
    ...pn.networks.map((n) => buildPlanNetInsurancePlan(ctx.plansById.get(n.planId)!, n, ctx, pn)),
    ...orgs.map((o) => buildPlanNetHealthcareService(o, ctx, pn)),
    ...orgs.filter((o) => o.kind === 'clinic').map((o) => buildPlanNetTelehealthService(o, ctx, pn)),
    ...orgs.flatMap((o, i) => pn.organizations[i]!.networks.map((n) => buildPlanNetOrganizationAffiliation(o, n, ctx, pn))),
  ];
}

export { layerPlanNet };
