import type { RelatedPerson } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { withUsCoreProfile } from './layer-profile.js';

/** The CARIN BB RelatedPerson (a dependent's subscriber) also claims US Core RelatedPerson, from US Core 6 (3.1.1 has none). */
export function layerUsCoreRelatedPerson(resource: RelatedPerson, _story: MemberStory, ctx: BuildContext): RelatedPerson {
  return ctx.usCoreVersion === '3.1.1' ? resource : withUsCoreProfile(resource, ctx, 'us-core-relatedperson');
}
