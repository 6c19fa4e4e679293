import { isValidLoinc } from '../util/check-digits.js';
import { SYSTEMS, type SystemName } from '../util/systems.js';
import { checkInstrumentShapes } from './clinical-social-shapes.js';
import { WEIGHT } from './fields.js';
import type { CodeMapReader } from './load.js';
import type { ClaimsCodeMaps, SourcedRow } from './types.js';

const VALUES_FILE = 'social-values.json';
const INSTRUMENTS_FILE = 'social-instruments.json';

export const SOCIAL_GROUPS = [
  'smoking-status', 'sexual-orientation', 'pregnancy-status', 'pregnancy-intent', 'gender-identity', 'sex',
  'tribal-affiliation', 'occupation', 'industry', 'sdoh-finding', 'sdoh-condition', 'sdoh-condition-icd10cm', 'functional-finding',
  'data-absent-reason', 'observation-code',
] as const;
export type SocialGroup = (typeof SOCIAL_GROUPS)[number];

/** One coded answer: `system` is a key of SYSTEMS (src/fhir/systems.ts). */
export interface SocialValueRow extends SourcedRow {
  group: SocialGroup;
  key: string;
  system: SystemName;
  code: string;
  display: string;
  /** Relative draw frequency, where the story draws from the group. */
  weight?: number;
}

export interface LoincItem {
  code: string;
  display: string;
  /** The question as the Questionnaire asks it (QuestionnaireResponse.item.text). */
  text: string;
}

export interface AnswerCode {
  code: string;
  display: string;
}

interface InstrumentForm {
  source: string;
  /** Canonical of the published Questionnaire the response answers. */
  questionnaire: string;
  title: string;
  /** Where a reader finds the form (us-core-extension-questionnaire-uri). */
  formUrl: string;
  /** US Core category (us-core-category) of the screening observations. */
  category: 'sdoh' | 'functional-status' | 'disability-status' | 'cognitive-status';
  panel: AnswerCode;
}

interface InstrumentBase extends InstrumentForm {
  items: LoincItem[];
}

export interface Phq9Instrument extends InstrumentBase {
  answers: (AnswerCode & { score: number })[];
  total: LoincItem;
  difficulty: LoincItem & { answers: (AnswerCode & { minTotal: number })[] };
}

export interface HvsInstrument extends InstrumentBase {
  answers: (AnswerCode & { atRisk: boolean })[];
  risk: LoincItem & { atRisk: AnswerCode; noRisk: AnswerCode };
}

/** What a PRAPARE answer is taken from when the story already knows it (the member's demographics and plan). */
export type PrapareDerivation = 'race' | 'ethnicity' | 'language' | 'insurance' | 'address';

export interface PrapareAnswerOption extends AnswerCode {
  /** Relative draw frequency of an answer the story does not derive. */
  weight?: number;
  /** Story values this answer stands for (CDC race/ethnicity codes, BCP 47 languages, plan types). */
  matches?: string[];
  /** Never combined with another answer of a repeating question (declined, "No"). */
  exclusive?: boolean;
}

export interface PrapareQuestion extends LoincItem {
  type: 'choice' | 'integer' | 'decimal' | 'string';
  repeats?: boolean;
  derive?: PrapareDerivation;
  range?: { min: number; max: number; step: number };
  answers?: PrapareAnswerOption[];
  /** Relative frequency of checking none of the answers (a checklist with no "none" option). */
  noneWeight?: number;
}

/** A PRAPARE section: a LOINC panel of its own whose questions nest under it (item.item). */
export interface PrapareGroup extends LoincItem {
  questions: PrapareQuestion[];
}

export interface PrapareInstrument extends InstrumentForm {
  groups: PrapareGroup[];
}

interface FamilyQuestion {
  linkId: string;
  code: string;
  text: string;
}

/** The US Surgeon General Family Health Portrait: its family-member questions, where "Living?" carries sub-questions under its answer. */
export interface FamilyHistoryInstrument extends Omit<InstrumentForm, 'category'> {
  familyMember: FamilyQuestion & { detailsLinkId: string };
  relationship: FamilyQuestion;
  gender: FamilyQuestion;
  living: FamilyQuestion & { yes: AnswerCode; no: AnswerCode };
  age: FamilyQuestion & { groupLinkId: string };
  ageAtDeath: FamilyQuestion & { groupLinkId: string; answers: (AnswerCode & { minAge: number })[] };
  relatives: (AnswerCode & { key: string; sex: 'male' | 'female' })[];
  genders: Record<'male' | 'female', AnswerCode>;
}

/** A frequency answer of the TAPS screen, with its draw weight per question (the tobacco answer follows the smoking status). */
export interface TapsAnswer extends AnswerCode {
  drinking: number;
  drugs: number;
  prescription: number;
}

/**
 * TAPS part 1 (US Core 7.0.0 example Questionnaire TAPS): frequency questions answered from one answer
 * list; the prescription-misuse question is free text (its answer's display, as a string).
 */
export interface TapsInstrument extends Omit<InstrumentForm, 'category'> {
  tobacco: LoincItem;
  /** The heavy-drinking question the tool asks by sex (five drinks for men, four for women). */
  drinking: Record<'male' | 'female', LoincItem>;
  drugs: LoincItem;
  prescription: LoincItem;
  answers: TapsAnswer[];
  /** Smoking status SNOMED CT code → index into answers; any other status answers the last (Never). */
  tobaccoBySmokingStatus: Record<string, number>;
}

/** A number question of the Exercise Vital Sign, with its UCUM unit (Questionnaire item `questionnaire-unit`). */
export interface EvsQuestion extends LoincItem {
  unit: 'd/wk' | 'min/d';
}

/**
 * The Exercise Vital Sign: days per week of moderate to strenuous exercise and, asked only when that is
 * more than zero, minutes per day. fhirseed publishes its Questionnaire (the minutes question nested under
 * the days answer), so `questionnaire` is fhirseed's canonical, not an HL7 example's.
 */
export interface EvsInstrument extends Omit<InstrumentForm, 'category'> {
  days: EvsQuestion;
  minutes: EvsQuestion;
  /** Relative frequency of 0, 1, … 7 days per week (eight weights). */
  dayWeights: number[];
  minuteWeights: { minutes: number; weight: number }[];
}

export interface SocialCodeMaps {
  /** Rows of each group, in file order. */
  values: ReadonlyMap<SocialGroup, readonly SocialValueRow[]>;
  phq9: Phq9Instrument;
  hvs: HvsInstrument;
  prapare: PrapareInstrument;
  ussgFht: FamilyHistoryInstrument;
  taps: TapsInstrument;
  evs: EvsInstrument;
}

type Instrument = Phq9Instrument | HvsInstrument | PrapareInstrument | FamilyHistoryInstrument | TapsInstrument | EvsInstrument;

/**
 * The values of social-values.json the story and builders name (src/story/clinical/social*.ts,
 * src/fhir/us-core/observation-*.ts): each must have its row. Other values are drawn from their group.
 */
const NEEDED_VALUES: Partial<Record<SocialGroup, readonly string[]>> = {
  'observation-code': ['functional-status', 'cognitive-status', 'smoking-status'],
  'functional-finding': ['independent-dressing'],
  // Teenagers' smoking status is drawn from these.
  'smoking-status': ['never', 'some-day', 'former'],
  'pregnancy-status': ['pregnant', 'not-pregnant', 'unknown'],
  'pregnancy-intent': ['not-sure', 'unknown'],
  'gender-identity': ['female', 'male', 'unknown'],
  sex: ['female', 'male'],
  // 'cna': the occupation of members employed (drawn from this one key).
  occupation: ['unknown', 'cna'],
  'data-absent-reason': ['not-applicable', 'asked-declined'],
  'sdoh-finding': ['transport-too-expensive'],
  'sdoh-condition': ['food-insecurity'],
  'sdoh-condition-icd10cm': ['food-insecurity'],
};

const LOINC = /^\d{1,7}-\d$/;
const LOINC_ANSWER = /^LA\d{1,6}-\d$/;

export function loadSocialCodeMaps(reader: CodeMapReader, _claims: ClaimsCodeMaps): SocialCodeMaps {
  const values = new Map<SocialGroup, SocialValueRow[]>();
  for (const row of reader.rows<SocialValueRow>(VALUES_FILE, { group: 'text', key: 'text', system: 'text', code: 'text', display: 'text', weight: `${WEIGHT}?` })) {
    const id = `${row.group}/${row.key}`;
    if (!SOCIAL_GROUPS.includes(row.group)) reader.fail(VALUES_FILE, id, `unknown group '${row.group}'`, 'group', row);
    if (!Object.hasOwn(SYSTEMS, row.system)) reader.fail(VALUES_FILE, id, `unknown code system '${row.system}' (see src/fhir/systems.ts)`, 'system', row);
    const list = values.get(row.group) ?? [];
    if (list.some((r) => r.key === row.key)) reader.fail(VALUES_FILE, id, 'duplicate key', 'key', row);
    list.push(row);
    values.set(row.group, list);
  }
  for (const g of SOCIAL_GROUPS) if (!values.get(g)?.length) reader.failAt(VALUES_FILE, g, 'group has no rows', ['rows']);

  for (const [group, keys] of Object.entries(NEEDED_VALUES)) {
    for (const key of keys) if (!values.get(group as SocialGroup)?.some((r) => r.key === key)) reader.failAt(VALUES_FILE, `${group}/${key}`, 'is missing (fhirseed uses it)', ['rows']);
  }
  // A group the story draws from (rows without a weight count 1; an empty group and a missing key are refused above),
  // and teenagers' smoking statuses, drawn among themselves.
  const drawn: [SocialGroup, readonly string[] | undefined][] = [
    ['smoking-status', undefined], ['smoking-status', NEEDED_VALUES['smoking-status']], ['sexual-orientation', undefined], ['industry', undefined],
    ['tribal-affiliation', undefined], ['occupation', ['cna']],
  ];
  for (const [group, keys] of drawn) {
    const rows = (values.get(group) ?? []).filter((r) => !keys || keys.includes(r.key));
    const where = keys ? `${group}/${keys.join(',')}` : group;
    if (!rows.some((r) => (r.weight ?? 1) > 0)) reader.fail(VALUES_FILE, where, 'every weight is 0 (fhirseed draws one by them)', 'weight', rows.at(-1));
  }

  const raw = reader.read<unknown>(INSTRUMENTS_FILE);
  checkInstrumentShapes(reader, INSTRUMENTS_FILE, reader.object<Record<string, unknown>>(INSTRUMENTS_FILE, raw, '(file)', {}));
  const file = raw as { phq9: Phq9Instrument; hvs: HvsInstrument; prapare: PrapareInstrument; ussgFht: FamilyHistoryInstrument; taps: TapsInstrument; evs: EvsInstrument };
  for (const [name, inst] of Object.entries(file) as [string, Instrument | string][]) {
    if (typeof inst === 'string') continue;
    if (!inst.source) reader.fail(INSTRUMENTS_FILE, name, 'has no source', 'source', inst);
    const { terms, answers } = instrumentCodes(inst);
    const codeAt = (c: string) => codePath(inst, c);
    for (const c of terms) if (!LOINC.test(c) || !isValidLoinc(c)) reader.fail(INSTRUMENTS_FILE, name, `'${c}' is not a LOINC code`, codeAt(c), inst);
    for (const c of answers) if (!LOINC_ANSWER.test(c)) reader.fail(INSTRUMENTS_FILE, name, `'${c}' is not a LOINC answer code`, codeAt(c), inst);
    if ('groups' in inst) checkPrapare(reader, name, inst);
  }
  const { taps, evs } = file;
  for (const [code, i] of Object.entries(taps.tobaccoBySmokingStatus)) {
    if (!taps.answers[i]) reader.fail(INSTRUMENTS_FILE, 'taps/tobaccoBySmokingStatus', `no answer ${i}`, ['tobaccoBySmokingStatus', code], taps);
  }
  // Keyed by the member's smoking-status code: one social-values.json lacks (a typo) left those smokers answering "never".
  const smoking = new Set(values.get('smoking-status')?.map((r) => r.code));
  for (const code of Object.keys(taps.tobaccoBySmokingStatus)) {
    if (!smoking.has(code)) reader.fail(INSTRUMENTS_FILE, 'taps/tobaccoBySmokingStatus', `names smoking status '${code}', which social-values.json's smoking-status group does not have`, ['tobaccoBySmokingStatus', code], taps);
  }
  // Each TAPS question's answer is drawn by its column of weights (src/story/clinical/social-taps.ts).
  for (const q of ['drinking', 'drugs', 'prescription'] as const) {
    if (!taps.answers.some((a) => a[q] > 0)) reader.fail(INSTRUMENTS_FILE, 'taps/answers', `no answer has a ${q} weight above 0 (the ${q} answer is drawn by them)`, 'answers', taps);
  }
  if (evs.dayWeights.length !== 8 || !evs.dayWeights.some((w, d) => d > 0 && w > 0)) reader.fail(INSTRUMENTS_FILE, 'evs/dayWeights', 'want eight weights (0–7 days), some day above 0 weighted', 'dayWeights', evs);
  if (!evs.minuteWeights.some((m) => m.minutes > 0 && m.weight > 0)) reader.fail(INSTRUMENTS_FILE, 'evs/minuteWeights', 'no positive minutes weighted', 'minuteWeights', evs);
  return { values, phq9: file.phq9, hvs: file.hvs, prapare: file.prapare, ussgFht: file.ussgFht, taps: file.taps, evs: file.evs };
}

/** The LOINC term codes (panel, items, scores) and LOINC answer (LA) codes an instrument uses. */
function instrumentCodes(inst: Instrument): { terms: string[]; answers: string[] } {
  if ('dayWeights' in inst) return { terms: [inst.panel.code, inst.days.code, inst.minutes.code], answers: [] };
  if ('tobaccoBySmokingStatus' in inst) {
    const questions = [inst.tobacco, inst.drinking.male, inst.drinking.female, inst.drugs, inst.prescription];
    return { terms: [inst.panel.code, ...questions.map((q) => q.code)], answers: inst.answers.map((a) => a.code) };
  }
  if ('relatives' in inst) {
    const questions = [inst.familyMember, inst.relationship, inst.gender, inst.living, inst.age, inst.ageAtDeath];
    const answers = [...inst.relatives, inst.genders.male, inst.genders.female, inst.living.yes, inst.living.no, ...inst.ageAtDeath.answers];
    return { terms: [inst.panel.code, ...questions.map((q) => q.code)], answers: answers.map((a) => a.code) };
  }
  if ('groups' in inst) {
    const questions = inst.groups.flatMap((g) => g.questions);
    return {
      terms: [inst.panel.code, ...inst.groups.map((g) => g.code), ...questions.map((q) => q.code)],
      answers: questions.flatMap((q) => (q.answers ?? []).map((a) => a.code)),
    };
  }
  const terms = [inst.panel.code, ...inst.items.map((i) => i.code), 'total' in inst ? inst.total.code : inst.risk.code];
  const answers = [...inst.answers.map((a) => a.code), ...('difficulty' in inst ? inst.difficulty.answers.map((a) => a.code) : [inst.risk.atRisk.code, inst.risk.noRisk.code])];
  return { terms, answers };
}

/**
 * The path in `value` of the first object whose `code` is `code` (`['items', 3, 'code']`), depth first in file order:
 * where a bad LOINC code of an instrument is. Empty when there is none.
 */
function codePath(value: unknown, code: string): (string | number)[] {
  if (typeof value !== 'object' || value === null) return [];
  if (!Array.isArray(value) && (value as { code?: unknown }).code === code) return ['code'];
  for (const [k, v] of Object.entries(value)) {
    const inner = codePath(v, code);
    if (inner.length) return [Array.isArray(value) ? Number(k) : k, ...inner];
  }
  return [];
}

/** Each question can be answered: choices have answers, numbers a range. */
function checkPrapare(reader: CodeMapReader, name: string, inst: PrapareInstrument): void {
  for (const q of inst.groups.flatMap((g) => g.questions)) {
    const id = `${name}/${q.code}`;
    // At the field that would fix it; a field left out is the question's `{`.
    const fail = (problem: string, field: string): never => reader.fail(INSTRUMENTS_FILE, id, problem, field, q);
    if (q.type === 'choice' && !q.answers?.length) fail('choice question without answers', 'answers');
    if ((q.type === 'integer' || q.type === 'decimal') && !q.range) fail('numeric question without a range', 'range');
    if (q.range && q.range.max < q.range.min) fail(`range ${q.range.min}-${q.range.max} ends before it starts`, 'range.max');
    // An integer question's answers are range.min + k × range.step.
    if (q.type === 'integer' && q.range && !(Number.isInteger(q.range.min) && Number.isInteger(q.range.step))) {
      fail('integer question with a range not of whole numbers', Number.isInteger(q.range.min) ? 'range.step' : 'range.min');
    }
    if (q.type === 'string' && !q.derive) fail('string question without a derivation', 'derive');
    if (q.type === 'choice' && !q.derive && !q.answers?.some((a) => (a.weight ?? 0) > 0)) fail('drawn question without weights', 'answers');
  }
}
