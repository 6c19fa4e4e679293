import type { Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { buildCareResources, buildCareDirectoryResources } from './domain-care.js';
import { buildLabsVitalsResources } from './domain-labs-vitals.js';
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
  const clinical = [
    ...buildCareResources(story, ctx),
    ...buildLabsVitalsResources(story, ctx),
    ...buildMedicationResources(story, ctx),
    ...buildSocialResources(story, ctx),
    ...buildPlanningResources(story, ctx),
  ];
  return [...clinical, ...buildUsCoreProvenance(story, clinical, ctx), buildUsCoreEnrollmentProvenance(story, ctx)];
}

/** Shared US Core resources of the directory (PractitionerRole, Location, …, the EVS Questionnaire). */
export function buildUsCoreDirectoryResources(ctx: BuildContext): Resource[] {
  return [...buildCareDirectoryResources(ctx), ...buildEvsQuestionnaire(ctx)];
}

export { layerUsCore };
