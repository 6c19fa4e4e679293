import type { Questionnaire } from '@medplum/fhirtypes';
import type { EvsQuestion } from '../../codemaps/clinical-social.js';
import { directoryKey } from '../../story/directory.js';
import { baseProfile, meta, type BuildContext } from '../context.js';
import { loinc } from './social-common.js';
import { evsMinutesLinkId } from './questionnaire-response.js';

const UNIT_EXT = 'http://hl7.org/fhir/StructureDefinition/questionnaire-unit';

function numberItem(q: EvsQuestion, linkId: string) {
  return {
    extension: [{ url: UNIT_EXT, valueCoding: { system: 'http://unitsofmeasure.org', code: q.unit, display: q.unit } }],
    linkId,
    code: [loinc(q.code, q.display)],
    text: q.text,
    type: 'decimal' as const,
  };
}

/**
 * The Exercise Vital Sign Questionnaire the members' EVS responses answer (US Core 6.1.0 runs only, like
 * the responses): the days question (LOINC 89555-7, d/wk) and, nested under it and enabled when the answer
 * is above 0, the minutes question (68516-4, min/d). Base R4 Questionnaire; one per population (its id
 * carries the directory key) with fhirseed's canonical `url`.
 */
export function buildEvsQuestionnaire(ctx: BuildContext): Questionnaire[] {
  if (ctx.usCoreVersion !== '6.1.0') return [];
  const evs = ctx.codeMaps.clinical.social.evs;
  const daysLinkId = `/${evs.days.code}`;
  return [{
    resourceType: 'Questionnaire',
    id: `fs-${directoryKey(ctx.profile)}-q-evs`,
    meta: meta(ctx, [baseProfile('Questionnaire')]),
    url: evs.questionnaire,
    version: '1',
    name: 'ExerciseVitalSign',
    title: evs.title,
    status: 'active',
    subjectType: ['Patient'],
    publisher: ctx.profile.payer.name,
    code: [loinc(evs.panel.code, evs.panel.display)],
    item: [{
      ...numberItem(evs.days, daysLinkId),
      item: [{
        ...numberItem(evs.minutes, evsMinutesLinkId(evs)),
        enableWhen: [{ question: daysLinkId, operator: '>', answerDecimal: 0 }],
      }],
    }],
  }];
}
