import { AGE, WEIGHT, type Fields } from './fields.js';
import type { CodeMapReader } from './load.js';

/**
 * The shape of each instrument of code-maps/social-instruments.json, as the loader and the story read it: a field
 * deleted, blanked or of the wrong type, or a list emptied, is one line naming the instrument and the field
 * (`code-maps/social-instruments.json: phq9.answers row 2: score: missing (expected a number)`), exit 2 — not a
 * TypeError at load or when the first screening is built. Which codes are LOINC's is checked after this
 * (clinical-social.ts).
 */
export function checkInstrumentShapes(reader: CodeMapReader, file: string, json: Record<string, unknown>): void {
  const object = (value: unknown, name: string, fields: Fields) => reader.object<Record<string, unknown>>(file, value, name, fields);
  const list = (value: unknown, name: string, fields: Fields) => reader.list<Record<string, unknown>>(file, value, name, fields, true);
  const instrument = (name: string, fields: Fields) => object(json[name], name, { ...FORM, ...fields });

  const phq9 = instrument('phq9', { category: 'text', items: 'objects+', answers: 'objects+', total: 'object', difficulty: 'object' });
  list(phq9.items, 'phq9.items', ITEM);
  const answers = list(phq9.answers, 'phq9.answers', { ...CODED, score: 'whole 0..3' });
  // The PHQ-9 as the story scores it (src/story/clinical/social-screening.ts): nine items, each scored 0-3.
  if ((phq9.items as unknown[]).length !== 9) reader.fail(file, 'phq9.items', `${(phq9.items as unknown[]).length} items: the PHQ-9 has 9`);
  for (const score of [0, 1, 2, 3]) if (!answers.some((a) => a.score === score)) reader.fail(file, 'phq9.answers', `no answer scores ${score} (each item scores 0-3)`);
  object(phq9.total, 'phq9.total', ITEM);
  const difficulty = object(phq9.difficulty, 'phq9.difficulty', { ...ITEM, answers: 'objects+' });
  // The total of nine items scored 0-3.
  list(difficulty.answers, 'phq9.difficulty.answers', { ...CODED, minTotal: 'whole 0..27' });

  const hvs = instrument('hvs', { category: 'text', items: 'objects+', answers: 'objects+', risk: 'object' });
  list(hvs.items, 'hvs.items', ITEM);
  list(hvs.answers, 'hvs.answers', { ...CODED, atRisk: 'boolean' });
  object(hvs.risk, 'hvs.risk', { ...ITEM, atRisk: 'coded', noRisk: 'coded' });

  const prapare = instrument('prapare', { category: 'text', groups: 'objects+' });
  list(prapare.groups, 'prapare.groups', { ...ITEM, questions: 'objects+' }).forEach((group, g) => {
    list(group.questions, `prapare.groups[${g + 1}].questions`, {
      ...ITEM, type: 'one of choice integer decimal string', repeats: 'boolean?', derive: 'one of race ethnicity language insurance address?', range: 'object?', 'range.min': 'number 0..', 'range.max': 'number 0..',
      'range.step': 'number >0', answers: 'objects?', noneWeight: `${WEIGHT}?`,
    }).forEach((question, q) => {
      if (question.answers) {
        list(question.answers, `prapare.groups[${g + 1}].questions[${q + 1}].answers`, { ...CODED, weight: `${WEIGHT}?`, matches: 'texts?', exclusive: 'boolean?' });
      }
    });
  });

  const fht = instrument('ussgFht', {
    familyMember: 'object', relationship: 'object', gender: 'object', living: 'object', age: 'object', ageAtDeath: 'object',
    relatives: 'objects+', genders: 'object',
  });
  object(fht.familyMember, 'ussgFht.familyMember', { ...QUESTION, detailsLinkId: 'text' });
  object(fht.relationship, 'ussgFht.relationship', QUESTION);
  object(fht.gender, 'ussgFht.gender', QUESTION);
  object(fht.living, 'ussgFht.living', { ...QUESTION, yes: 'coded', no: 'coded' });
  object(fht.age, 'ussgFht.age', { ...QUESTION, groupLinkId: 'text' });
  const ageAtDeath = object(fht.ageAtDeath, 'ussgFht.ageAtDeath', { ...QUESTION, groupLinkId: 'text', answers: 'objects+' });
  list(ageAtDeath.answers, 'ussgFht.ageAtDeath.answers', { ...CODED, minAge: AGE });
  list(fht.relatives, 'ussgFht.relatives', { ...CODED, key: 'text', sex: 'one of male female' });
  object(fht.genders, 'ussgFht.genders', { male: 'coded', female: 'coded' });

  const taps = instrument('taps', { tobacco: 'object', drinking: 'object', drugs: 'object', prescription: 'object', answers: 'objects+', tobaccoBySmokingStatus: 'object' });
  for (const name of ['tobacco', 'drugs', 'prescription']) object(taps[name], `taps.${name}`, ITEM);
  const drinking = object(taps.drinking, 'taps.drinking', { male: 'object', female: 'object' });
  for (const sex of ['male', 'female']) object(drinking[sex], `taps.drinking.${sex}`, ITEM);
  // Each answer's weight in the draw of each question's answer (src/story/clinical/social-taps.ts).
  list(taps.answers, 'taps.answers', { ...CODED, drinking: WEIGHT, drugs: WEIGHT, prescription: WEIGHT });

  const evs = instrument('evs', { days: 'object', minutes: 'object', dayWeights: 'numbers 0..', minuteWeights: 'objects+' });
  for (const name of ['days', 'minutes']) object(evs[name], `evs.${name}`, { ...ITEM, unit: 'text' });
  // Minutes of exercise a day (at most the day's 1440).
  list(evs.minuteWeights, 'evs.minuteWeights', { minutes: 'number 0..1440', weight: WEIGHT });
}

const CODED: Fields = { code: 'text', display: 'text' };
/** A LOINC item: its code, display and question text. */
const ITEM: Fields = { ...CODED, text: 'text' };
const QUESTION: Fields = { linkId: 'text', code: 'text', text: 'text' };
const FORM: Fields = { source: 'text', questionnaire: 'text', title: 'text', formUrl: 'text', panel: 'coded' };
