import type { Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { isFacility } from './care-common.js';
import { buildUsCoreConditionEncounterDiagnosis } from './condition-encounter-diagnosis.js';
import { buildUsCoreConditionProblem } from './condition-problems-health-concerns.js';
import { buildUsCoreEncounter } from './encounter.js';
import { buildFacilityEndpoint } from './endpoint.js';
import { buildUsCoreImplantableDevice } from './implantable-device.js';
import { buildUsCoreLocation } from './location.js';
import { buildUsCorePractitionerRole } from './practitioner-role.js';
import { buildUsCoreProcedure } from './procedure.js';

/** The care domain's US Core resources of one member, in load order: visits, conditions, devices, procedures. */
export function buildCareResources(story: MemberStory, ctx: BuildContext): Resource[] {
  const care = story.clinical.care;
  return [
    ...story.clinical.encounters.map((e) => buildUsCoreEncounter(story, e, ctx)),
    ...care.problems.map((p) => buildUsCoreConditionProblem(story, p, ctx)),
    ...care.encounterDiagnoses.map((d) => buildUsCoreConditionEncounterDiagnosis(story, d, ctx)),
    ...care.implants.map((i) => buildUsCoreImplantableDevice(story, i, ctx)),
    ...care.procedures.map((p) => buildUsCoreProcedure(story, p, ctx)),
  ];
}

/** Directory resources of this domain: a Location and Endpoint per facility, a PractitionerRole per practitioner. */
export function buildCareDirectoryResources(ctx: BuildContext): Resource[] {
  const facilities = ctx.directory.organizations.filter((o) => isFacility(ctx, o.id));
  return [
    ...facilities.map((o) => buildUsCoreLocation(o, ctx)),
    ...facilities.map((o) => buildFacilityEndpoint(o, ctx)),
    ...ctx.directory.practitioners.map((p) => buildUsCorePractitionerRole(p, ctx)),
  ];
}
