import type { Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';

/** The labs-vitals domain's US Core resources of one member, in load order (placeholder: the domain fills it in). */
export function buildLabsVitalsResources(_story: MemberStory, _ctx: BuildContext): Resource[] {
  return [];
}

