import type { RelatedPerson } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import { carinBbProfile, ids, meta, ref, type BuildContext } from '../context.js';
import { keyedConcept } from './codings.js';
import { fhirAddress, humanName, phone } from './common.js';

/** C4BB RelatedPerson 2.0.0: the subscriber of a dependent member. */
export function buildC4bbRelatedPerson(story: MemberStory, ctx: BuildContext): RelatedPerson | undefined {
  const sub = story.member.subscriber;
  if (!sub || story.member.relationship === 'self') return undefined;
  // The subscriber's role towards the member: spouse (SPS) of a spouse, parent (PRN) of a child.
  const relationship = keyedConcept(ctx.codeMaps, 'subscriber-role', story.member.relationship);
  return {
    resourceType: 'RelatedPerson',
    id: ids.subscriber(story),
    meta: meta(ctx, [carinBbProfile('C4BB-RelatedPerson')]),
    active: true,
    patient: ref('Patient', ids.patient(story)),
    ...(relationship ? { relationship: [relationship] } : {}),
    name: [humanName(sub.name)],
    telecom: [phone(sub.phone), { system: 'email', value: sub.email }],
    gender: sub.sex,
    birthDate: sub.birthDate,
    address: [fhirAddress(sub.address)],
  };
}
