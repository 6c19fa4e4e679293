import type { Coverage } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';

/** Adds the US Core Coverage profile to a CARIN BB Coverage (placeholder: the domain fills it in). */
export function layerUsCoreCoverage(resource: Coverage, _story: MemberStory, _ctx: BuildContext): Coverage {
  return resource;
}
