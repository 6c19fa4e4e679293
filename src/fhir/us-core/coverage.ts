import type { Coverage } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { withUsCoreProfile } from './layer-profile.js';

/**
 * The CARIN BB Coverage also claims US Core Coverage (from US Core 6; 3.1.1 has no Coverage profile).
 * CARIN BB already fills what US Core asks: member id (type MB), type, subscriber id, relationship, period, payor, group and plan classes.
 */
export function layerUsCoreCoverage(resource: Coverage, _story: MemberStory, ctx: BuildContext): Coverage {
  return ctx.usCoreVersion === '3.1.1' ? resource : withUsCoreProfile(resource, ctx, 'us-core-coverage');
}
