import type { Medication } from '@medplum/fhirtypes';
import type { PrescriptionFact } from '../../story/clinical/medications.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, usCoreProfile, type BuildContext } from '../context.js';
import { drugCode } from './medication-request.js';

/** The drug of a prescription as a Medication resource (RxNorm and the dispensed NDC). */
export function buildUsCoreMedication(story: MemberStory, rx: PrescriptionFact, ctx: BuildContext): Medication {
  return {
    resourceType: 'Medication',
    id: medicationId(story, rx),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-medication')]),
    code: drugCode(rx.drugKey, ctx, true),
  };
}

export function medicationId(story: MemberStory, rx: PrescriptionFact): string {
  return ids.member(story, `med${rx.ordinal}`);
}
