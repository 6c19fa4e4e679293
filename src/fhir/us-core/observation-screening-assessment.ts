import type { Observation, Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import type { PrapareQuestion } from '../../codemaps/clinical-social.js';
import type { HvsFact, Phq9Fact, PrapareAnswer, PrapareFact, RecordedAt } from '../../story/clinical/social.js';
import { socialCode } from '../../story/clinical/social-patient.js';
import type { MemberStory } from '../../story/types.js';
import { ids, ref, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { factConcept, loincConcept, observationBase, performer, SURVEY, usCoreCategory } from './social-common.js';

const PROFILE = 'us-core-observation-screening-assessment';

export const phq9Suffix = (n: number) => `phq${n}`;
export const hvsSuffix = (n: number) => `hvs${n}`;
export const prapareSuffix = (n: number) => `prapare${n}`;

interface Screening {
  at: RecordedAt;
  suffix: string;
  category: string;
  /** Who reported the answers: the clinician who administered it, or the member (self-administered). */
  performer: Reference<Practitioner | Patient>[] | undefined;
}

function screeningObservation(story: MemberStory, ctx: BuildContext, s: Screening, suffix: string): Observation {
  return {
    ...observationBase(story, ctx, PROFILE, suffix, s.at),
    category: [SURVEY, usCoreCategory(s.category)],
    ...(s.performer ? { performer: s.performer } : {}),
    derivedFrom: [ref('QuestionnaireResponse', ids.member(story, `${s.suffix}-qr`))],
  };
}

/** Panel first, then its members: the items, in the instrument's order, each an Observation of its own. */
function withPanel(panel: Observation, members: Observation[]): Observation[] {
  return [{ ...panel, hasMember: members.map((m) => ref('Observation', m.id ?? '')) }, ...members];
}

function phq9Observations(story: MemberStory, ctx: BuildContext, fact: Phq9Fact, n: number): Observation[] {
  const inst = ctx.codeMaps.clinical.social.phq9;
  const s: Screening = { at: fact, suffix: phq9Suffix(n), category: inst.category, performer: performer(fact) };
  const obs = (code: string) => screeningObservation(story, ctx, s, `${s.suffix}-${code}`);
  const items = inst.items.map((item, i) => {
    const answer = inst.answers.find((a) => a.score === fact.itemScores[i]);
    if (!answer) throw new Error(`PHQ-9 has no answer scoring ${fact.itemScores[i]}`);
    return { ...obs(item.code), code: loincConcept(item), valueCodeableConcept: loincConcept(answer) };
  });
  const total: Observation = {
    ...obs(inst.total.code),
    code: loincConcept(inst.total),
    valueQuantity: { value: fact.total, unit: '{score}', system: SYSTEMS.ucum, code: '{score}' },
  };
  // The total is the sum of the item scores: derived from the item Observations as well as the answers.
  total.derivedFrom = [...(total.derivedFrom ?? []), ...items.map((i) => ref('Observation', i.id ?? ''))];
  const difficulty: Observation = {
    ...obs(inst.difficulty.code),
    code: loincConcept(inst.difficulty),
    ...(typeof fact.difficulty === 'number'
      ? { valueCodeableConcept: loincConcept(inst.difficulty.answers[fact.difficulty]!) }
      : { dataAbsentReason: factConcept(socialCode(ctx.codeMaps.clinical.social, 'data-absent-reason', fact.difficulty)) }),
  };
  const panel: Observation = { ...obs(inst.panel.code), code: loincConcept(inst.panel) };
  return withPanel({ ...panel, id: ids.member(story, s.suffix) }, [...items, total, difficulty]);
}

function hvsObservations(story: MemberStory, ctx: BuildContext, fact: HvsFact, n: number): Observation[] {
  const inst = ctx.codeMaps.clinical.social.hvs;
  const patient = [ref('Patient', ids.patient(story))];
  const s: Screening = { at: fact, suffix: hvsSuffix(n), category: inst.category, performer: patient };
  const obs = (code: string) => screeningObservation(story, ctx, s, `${s.suffix}-${code}`);
  const items = inst.items.map((item, i) => ({ ...obs(item.code), code: loincConcept(item), valueCodeableConcept: loincConcept(inst.answers[fact.answers[i]!]!) }));
  const risk: Observation = {
    ...obs(inst.risk.code),
    code: loincConcept(inst.risk),
    valueCodeableConcept: loincConcept(fact.atRisk ? inst.risk.atRisk : inst.risk.noRisk),
  };
  // The risk follows from the two item answers.
  risk.derivedFrom = [...(risk.derivedFrom ?? []), ...items.map((i) => ref('Observation', i.id ?? ''))];
  const panel: Observation = { ...obs(inst.panel.code), code: loincConcept(inst.panel) };
  return withPanel({ ...panel, id: ids.member(story, s.suffix) }, [...items, risk]);
}

/** One Observation per answer: a repeating question answered twice gives two (as the US Core multiselect examples do). */
function prapareValues(q: PrapareQuestion, a: PrapareAnswer): Partial<Observation>[] {
  if ('choices' in a) return a.choices.map((i) => ({ valueCodeableConcept: loincConcept(q.answers![i]!) }));
  if ('text' in a) return [{ valueString: a.text }];
  return [{ valueQuantity: { value: a.value } }];
}

/** PRAPARE: the panel has the section panels as members, each section its question observations. */
function prapareObservations(story: MemberStory, ctx: BuildContext, fact: PrapareFact, n: number): Observation[] {
  const inst = ctx.codeMaps.clinical.social.prapare;
  const s: Screening = { at: fact, suffix: prapareSuffix(n), category: inst.category, performer: [ref('Patient', ids.patient(story))] };
  const obs = (code: string) => screeningObservation(story, ctx, s, `${s.suffix}-${code}`);
  const sections = inst.groups.map((g, gi) => {
    const members = g.questions.flatMap((q, qi) => {
      const values = prapareValues(q, fact.groups[gi]![qi]!);
      return values.map((v, k) => ({ ...obs(values.length > 1 ? `${q.code}-${k}` : q.code), code: loincConcept(q, q.text), ...v }));
    });
    return withPanel({ ...obs(g.code), code: loincConcept(g, g.text) }, members);
  });
  const panel: Observation = { ...obs(inst.panel.code), code: loincConcept(inst.panel), id: ids.member(story, s.suffix) };
  return [{ ...panel, hasMember: sections.map((sec) => ref('Observation', sec[0]!.id ?? '')) }, ...sections.flat()];
}

/**
 * US Core Screening and Assessment (6.1.0 only): each PHQ-9 and Hunger Vital Sign as a panel with
 * hasMember items and a score, all derived from the member's QuestionnaireResponse.
 */
export function buildUsCoreObservationScreeningAssessment(story: MemberStory, ctx: BuildContext): Observation[] {
  if (ctx.usCoreVersion !== '6.1.0') return [];
  const social = story.clinical.social;
  return [
    ...social.phq9.flatMap((f, i) => phq9Observations(story, ctx, f, i + 1)),
    ...social.hvs.flatMap((f, i) => hvsObservations(story, ctx, f, i + 1)),
    ...social.prapare.flatMap((f, i) => prapareObservations(story, ctx, f, i + 1)),
  ];
}
