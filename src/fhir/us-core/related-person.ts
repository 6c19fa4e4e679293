import type { RelatedPerson } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';

/** Adds the US Core RelatedPerson profile to a CARIN BB RelatedPerson (placeholder: the domain fills it in). */
export function layerUsCoreRelatedPerson(resource: RelatedPerson, _story: MemberStory, _ctx: BuildContext): RelatedPerson {
  return resource;
}
