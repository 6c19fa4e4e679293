import type { Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';

/** The medications domain's US Core resources of one member, in load order (placeholder: the domain fills it in). */
export function buildMedicationResources(_story: MemberStory, _ctx: BuildContext): Resource[] {
  return [];
}

