import type { Coverage } from '@medplum/fhirtypes';
import type { CoverageFact, MemberStory } from '../../story/types.js';
import { carinBbProfile, ids, meta, ref, type BuildContext } from '../context.js';
import { concept, keyedConcept, tableConcept } from './codings.js';
import { payerSystem } from './common.js';

/** C4BB Coverage 2.0.0: one per coverage span of the member. */
export function buildC4bbCoverage(story: MemberStory, coverage: CoverageFact, ctx: BuildContext): Coverage {
  const m = story.member;
  const type = keyedConcept(ctx.codeMaps, 'coverage-type', coverage.planType);
  // The dependent number is the member id's suffix after the subscriber id (FSD1234567-01 → 01).
  const dependent = m.memberId.startsWith(`${m.subscriberId}-`) ? m.memberId.slice(m.subscriberId.length + 1) : undefined;
  const subscriber = m.relationship === 'self' ? ref('Patient', ids.patient(story)) : ref('RelatedPerson', ids.subscriber(story));
  return {
    resourceType: 'Coverage',
    id: ids.coverage(story, coverage.ordinal),
    meta: meta(ctx, [carinBbProfile('C4BB-Coverage')]),
    identifier: [{ type: concept('v2IdentifierType', 'MB'), system: payerSystem(ctx, 'member-id'), value: m.memberId }],
    status: coverage.status,
    ...(type ? { type } : {}),
    policyHolder: subscriber,
    subscriber,
    subscriberId: m.subscriberId,
    beneficiary: ref('Patient', ids.patient(story)),
    ...(dependent ? { dependent } : {}),
    relationship: tableConcept(ctx.codeMaps, 'subscriber-relationship', m.relationship),
    period: coverage.openEnd ? { start: coverage.start } : { start: coverage.start, end: coverage.end },
    payor: [ref('Organization', ctx.directory.payer.id)],
    class: [
      { type: concept('coverageClass', 'group'), value: coverage.group.id, name: coverage.group.name },
      { type: concept('coverageClass', 'plan'), value: coverage.planId, name: coverage.planName },
    ],
  };
}
