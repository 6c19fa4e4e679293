import type { Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';

/** The planning domain's US Core resources of one member, in load order (placeholder: the domain fills it in). */
export function buildPlanningResources(_story: MemberStory, _ctx: BuildContext): Resource[] {
  return [];
}
