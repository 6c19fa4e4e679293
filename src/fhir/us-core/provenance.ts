import type { Provenance, Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';

/** US Core Provenance for a member's clinical resources (placeholder: the planning domain fills it in). */
export function buildUsCoreProvenance(_story: MemberStory, _targets: readonly Resource[], _ctx: BuildContext): Provenance[] {
  return [];
}
