import type { QuestionnaireResponse, QuestionnaireResponseItem, Reference } from '@medplum/fhirtypes';
import type { AnswerCode, EvsInstrument, FamilyHistoryInstrument, LoincItem, PrapareInstrument, PrapareQuestion, TapsInstrument } from '../../codemaps/clinical-social.js';
import type { EvsFact, FamilyHistoryFact, PrapareAnswer, PrapareFact, RecordedAt, TapsFact } from '../../story/clinical/social.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { loinc } from './social-common.js';
import { hvsSuffix, phq9Suffix, prapareSuffix } from './observation-screening-assessment.js';

const DISPLAY_EXT = 'http://hl7.org/fhir/StructureDefinition/display';
const QUESTIONNAIRE_URI_EXT = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-extension-questionnaire-uri';
const IDENTIFIER_SYSTEM = 'https://fhirseed.example.org/questionnaire-response';

interface Form {
  questionnaire: string;
  title: string;
  formUrl: string;
}

/** linkIds as the US Core example Questionnaires spell them: "/" plus the item's LOINC code. */
function item(q: LoincItem, answer?: QuestionnaireResponseItem['answer']): QuestionnaireResponseItem {
  return { linkId: `/${q.code}`, text: q.text, ...(answer ? { answer } : {}) };
}

const coded = (a: AnswerCode) => [{ valueCoding: loinc(a.code, a.display) }];

export function prapareAnswers(q: PrapareQuestion, a: PrapareAnswer): NonNullable<QuestionnaireResponseItem['answer']> {
  if ('choices' in a) return a.choices.map((i) => ({ valueCoding: loinc(q.answers![i]!.code, q.answers![i]!.display) }));
  if ('text' in a) return [{ valueString: a.text }];
  return [q.type === 'integer' ? { valueInteger: a.value } : { valueDecimal: a.value }];
}

/** PRAPARE nests as its Questionnaire does: the panel, its sections (groups), their questions (item.item). */
function prapareItems(inst: PrapareInstrument, f: PrapareFact): QuestionnaireResponseItem[] {
  const groups = inst.groups.map((g, gi) => ({
    linkId: `/${g.code}`,
    text: g.text,
    item: g.questions.map((q, qi) => {
      const answer = prapareAnswers(q, f.groups[gi]![qi]!);
      return { linkId: `/${g.code}/${q.code}`, text: q.text, ...(answer.length ? { answer } : {}) };
    }),
  }));
  return [{ linkId: `/${inst.panel.code}`, text: inst.title, item: groups }];
}

function response(story: MemberStory, ctx: BuildContext, suffix: string, form: Form, at: RecordedAt, author: Reference, items: QuestionnaireResponseItem[]): QuestionnaireResponse {
  const id = ids.member(story, `${suffix}-qr`);
  return {
    resourceType: 'QuestionnaireResponse',
    id,
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-questionnaireresponse')]),
    identifier: { system: IDENTIFIER_SYSTEM, value: id },
    questionnaire: form.questionnaire,
    _questionnaire: {
      extension: [
        { url: DISPLAY_EXT, valueString: form.title },
        { url: QUESTIONNAIRE_URI_EXT, valueUri: form.formUrl },
      ],
    },
    status: 'completed',
    subject: ref('Patient', ids.patient(story)),
    encounter: ref('Encounter', ids.encounter(story, at.encounterOrdinal)),
    authored: `${at.date}T10:00:00Z`,
    author,
    source: ref('Patient', ids.patient(story)),
    item: items,
  } as QuestionnaireResponse;
}

/**
 * The Family Health Portrait: one repeated "Family member" group per parent. "Living?" nests its
 * follow-up under the answer (item.answer.item), as the Questionnaire nests it under the question:
 * the age if living, the age at death if not.
 */
function familyItems(inst: FamilyHistoryInstrument, f: FamilyHistoryFact): QuestionnaireResponseItem[] {
  return f.relatives.map((r) => {
    const relative = inst.relatives[r.relative]!;
    const followUp: QuestionnaireResponseItem = r.living
      ? { linkId: inst.age.groupLinkId, item: [{ linkId: inst.age.linkId, text: inst.age.text, answer: [{ valueDecimal: r.age }] }] }
      : { linkId: inst.ageAtDeath.groupLinkId, item: [{ linkId: inst.ageAtDeath.linkId, text: inst.ageAtDeath.text, answer: coded(inst.ageAtDeath.answers[r.ageAtDeath]!) }] };
    const living = r.living ? inst.living.yes : inst.living.no;
    const details: QuestionnaireResponseItem[] = [
      { linkId: inst.relationship.linkId, text: inst.relationship.text, answer: coded(relative) },
      { linkId: inst.gender.linkId, text: inst.gender.text, answer: coded(inst.genders[relative.sex]) },
      { linkId: inst.living.linkId, text: inst.living.text, answer: [{ valueCoding: loinc(living.code, living.display), item: [followUp] }] },
    ];
    return { linkId: inst.familyMember.linkId, text: inst.familyMember.text, item: [{ linkId: inst.familyMember.detailsLinkId, item: details }] };
  });
}

/**
 * TAPS part 1 as US Core's example Questionnaire TAPS asks it: the frequency questions coded, the
 * drinking question the member's sex is asked, the prescription-misuse question in free text.
 */
function tapsItems(inst: TapsInstrument, f: TapsFact, sex: 'male' | 'female'): QuestionnaireResponseItem[] {
  const freq = (i: number) => coded(inst.answers[i]!);
  return [
    item(inst.tobacco, freq(f.tobacco)),
    item(inst.drinking[sex], freq(f.drinking)),
    item(inst.drugs, freq(f.drugs)),
    item(inst.prescription, [{ valueString: inst.answers[f.prescription]!.display }]),
  ];
}

/**
 * The Exercise Vital Sign as fhirseed's Questionnaire asks it (src/fhir/us-core/questionnaire.ts): the minutes
 * question is a follow-up of a days answer above zero, so it sits under that answer (item.answer.item).
 */
export function evsItems(inst: EvsInstrument, f: EvsFact): QuestionnaireResponseItem[] {
  const minutes: QuestionnaireResponseItem[] | undefined = f.minutesPerDay === undefined
    ? undefined
    : [{ linkId: evsMinutesLinkId(inst), text: inst.minutes.text, answer: [{ valueDecimal: f.minutesPerDay }] }];
  return [{ ...item(inst.days), answer: [{ valueDecimal: f.daysPerWeek, ...(minutes ? { item: minutes } : {}) }] }];
}

/** linkId of the nested minutes question: its parent's linkId, then its own LOINC code (as PRAPARE's are formed). */
export const evsMinutesLinkId = (inst: EvsInstrument) => `/${inst.days.code}/${inst.minutes.code}`;

/**
 * US Core QuestionnaireResponse (6.1.0 only): the answers behind each screening panel, one response
 * per PHQ-9, Hunger Vital Sign, PRAPARE and TAPS (and each family health history), answering the published US Core example Questionnaires,
 * and per Exercise Vital Sign, answering fhirseed's own (published in the directory).
 */
export function buildUsCoreQuestionnaireResponses(story: MemberStory, ctx: BuildContext): QuestionnaireResponse[] {
  if (ctx.usCoreVersion !== '6.1.0') return [];
  const { phq9, hvs, prapare, ussgFht, taps, evs } = ctx.codeMaps.clinical.social;
  const social = story.clinical.social;
  const member = ref('Patient', ids.patient(story));
  return [
    ...social.phq9.map((f, i) => {
      const items = phq9.items.map((q, k) => item(q, coded(phq9.answers.find((a) => a.score === f.itemScores[k])!)));
      items.push(item(phq9.total, [{ valueDecimal: f.total }]));
      items.push(item(phq9.difficulty, typeof f.difficulty === 'number' ? coded(phq9.difficulty.answers[f.difficulty]!) : undefined));
      const author = f.practitionerId ? ref('Practitioner', f.practitionerId) : member;
      return response(story, ctx, phq9Suffix(i + 1), phq9, f, author, items);
    }),
    ...social.hvs.map((f, i) => {
      const items = hvs.items.map((q, k) => item(q, coded(hvs.answers[f.answers[k]!]!)));
      items.push(item(hvs.risk, coded(f.atRisk ? hvs.risk.atRisk : hvs.risk.noRisk)));
      return response(story, ctx, hvsSuffix(i + 1), hvs, f, member, items);
    }),
    ...social.prapare.map((f, i) => response(story, ctx, prapareSuffix(i + 1), prapare, f, member, prapareItems(prapare, f))),
    ...social.familyHistory.map((f, i) => response(story, ctx, `fht${i + 1}`, ussgFht, f, member, familyItems(ussgFht, f))),
    ...social.taps.map((f, i) => response(story, ctx, `taps${i + 1}`, taps, f, member, tapsItems(taps, f, story.member.sex))),
    ...social.evs.map((f, i) => response(story, ctx, `evs${i + 1}`, evs, f, f.practitionerId ? ref('Practitioner', f.practitionerId) : member, evsItems(evs, f))),
  ];
}
