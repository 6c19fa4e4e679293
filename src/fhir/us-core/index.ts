import type { Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { buildCareResources, buildCareDirectoryResources } from './domain-care.js';
import { labsVitalsResources } from './domain-labs-vitals.js';
import { buildMedicationResources } from './domain-medications.js';
import { buildPlanningResources } from './domain-planning.js';
import { buildUsCoreEnrollmentProvenance, buildUsCoreProvenance } from './provenance.js';
import { buildSocialResources } from './domain-social.js';
import { layerUsCore } from './layer.js';
import { buildEvsQuestionnaire } from './questionnaire.js';

/**
 * A member's US Core clinical resources (the version is ctx.usCoreVersion). Patient, Coverage
 * and RelatedPerson are the CARIN BB resources with the US Core profile layered on (see layer.ts),
 * so they are not built twice.
 */
export function buildUsCoreMemberResources(story: MemberStory, ctx: BuildContext): Resource[] {
  return [...usCoreMemberResources(story, ctx)];
}

/**
 * buildUsCoreMemberResources as they are built, in the same order, so that a caller can render each and let it go
 * before the next is built (src/output/member-builder.ts; issue 13): the clinical Provenance needs only the types
 * and ids of the resources before it. The labs-vitals domain (two thirds of the resources) comes one at a time,
 * the smaller domains one domain at a time.
 */
export function* usCoreMemberResources(story: MemberStory, ctx: BuildContext): Generator<Resource, void, void> {
  const targets: Pick<Resource, 'resourceType' | 'id'>[] = [];
  const domains = [buildCareResources, labsVitalsResources, buildMedicationResources, buildSocialResources, buildPlanningResources];
  for (const domain of domains) {
    for (const r of domain(story, ctx)) {
      targets.push({ resourceType: r.resourceType, id: r.id });
      yield r;
    }
  }
  yield* buildUsCoreProvenance(story, targets, ctx);
  yield buildUsCoreEnrollmentProvenance(story, ctx);
}

/** Shared US Core resources of the directory (PractitionerRole, Location, …, the EVS Questionnaire). */
export function buildUsCoreDirectoryResources(ctx: BuildContext): Resource[] {
  return [...buildCareDirectoryResources(ctx), ...buildEvsQuestionnaire(ctx)];
}

export { layerUsCore };
