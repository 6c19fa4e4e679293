import type { CodeableConcept, Coding, Observation, Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import type { AnswerCode } from '../../codemaps/clinical-social.js';
import type { RecordedAt } from '../../story/clinical/social.js';
import type { CodeFact } from '../../story/clinical/types.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS, type SystemName } from '../systems.js';

/** Observation categories the social profiles fix (observation-category and us-core-category codes). */
export const SOCIAL_HISTORY: CodeableConcept = {
  coding: [{ system: SYSTEMS.observationCategory, code: 'social-history', display: 'Social History' }],
};
export const SURVEY: CodeableConcept = {
  coding: [{ system: SYSTEMS.observationCategory, code: 'survey', display: 'Survey' }],
};
const US_CORE_CATEGORY_DISPLAY: Record<string, string> = {
  sdoh: 'SDOH',
  'functional-status': 'Functional Status',
  'disability-status': 'Disability Status',
  'cognitive-status': 'Cognitive Status',
};

export function usCoreCategory(code: string): CodeableConcept {
  return { coding: [{ system: SYSTEMS.usCoreCategory, code, display: US_CORE_CATEGORY_DISPLAY[code] ?? code }] };
}

export function factCoding(f: CodeFact): Coding {
  return { system: SYSTEMS[f.system as SystemName], code: f.code, display: f.display };
}

export function factConcept(f: CodeFact): CodeableConcept {
  return { coding: [factCoding(f)], text: f.display };
}

export function loinc(code: string, display: string): Coding {
  return { system: SYSTEMS.loinc, code, display };
}

export function loincConcept(item: AnswerCode, text?: string): CodeableConcept {
  return { coding: [loinc(item.code, item.display)], text: text ?? item.display };
}

export function performer(at: RecordedAt): Reference<Practitioner | Patient>[] | undefined {
  return at.practitionerId ? [ref('Practitioner', at.practitionerId)] : undefined;
}

/** The parts every social Observation shares: id, profile, final status, member, visit and its date. */
export function observationBase(story: MemberStory, ctx: BuildContext, profile: string, suffix: string, at: RecordedAt): Observation {
  return {
    resourceType: 'Observation',
    id: ids.member(story, suffix),
    meta: meta(ctx, [usCoreProfile(ctx, profile)]),
    status: 'final',
    code: { text: '' },
    subject: ref('Patient', ids.patient(story)),
    encounter: ref('Encounter', ids.encounter(story, at.encounterOrdinal)),
    effectiveDateTime: at.date,
  };
}
