import type { Observation, Patient, Questionnaire, QuestionnaireItem, QuestionnaireResponse, QuestionnaireResponseItem, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildC4bbPatient } from '../../../src/fhir/carin-bb/patient.js';
import { buildSocialResources } from '../../../src/fhir/us-core/domain-social.js';
import { buildEvsQuestionnaire } from '../../../src/fhir/us-core/questionnaire.js';
import { layerUsCorePatient } from '../../../src/fhir/us-core/patient.js';
import { simulateMember } from '../../../src/story/simulate.js';
import { ageOn } from '../../../src/util/dates.js';
import { coverage } from '../../../src/validate/coverage.js';
import type { Validator } from '../../../src/validate/validator.js';
import { codeMaps } from '../../helpers/output.js';
import { sharedValidator } from '../../helpers/validator.js';
import { buildContext, defaultStories, directory, profile } from '../../helpers/population.js';

const stories = defaultStories();
const ctx = buildContext;
const c61 = ctx('6.1.0');
const patients = stories.map((s) => layerUsCorePatient(buildC4bbPatient(s, c61), s, c61));
const social = stories.flatMap((s) => buildSocialResources(s, c61));
const resources: Resource[] = [...patients, ...social];

const MY_PROFILES = [
  'us-core-patient', 'us-core-smokingstatus', 'us-core-observation-occupation', 'us-core-observation-pregnancystatus',
  'us-core-observation-pregnancyintent', 'us-core-observation-sexual-orientation', 'us-core-observation-screening-assessment',
  'us-core-simple-observation', 'us-core-questionnaireresponse',
];

const claiming = (name: string) => social.filter((r): r is Observation => (r.meta?.profile ?? []).some((p) => p.includes(`/${name}|`)));
const patientOf = (r: { subject?: { reference?: string } }) => stories.find((s) => `Patient/fs-${s.key}` === r.subject?.reference)!;

let validator: Validator;
beforeAll(async () => {
  validator = await sharedValidator();
}, 60_000);

describe('US Core social domain on the default population (6.1.0)', () => {
  it('validates with 0 errors', () => {
    // Encounters and Practitioners belong to other domains and are not in this set.
    const errors = validator.validate(resources).filter((i) => i.severity === 'error' && !/does not resolve/.test(i.message));
    expect(errors.slice(0, 10)).toEqual([]);
  }, 60_000);

  it('fills every must-support element of its profiles', () => {
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const report = coverage(resources, pkg, validator);
    const mine = report.profiles.filter((p) => MY_PROFILES.includes(p.profile.split('/').pop()!));
    expect(mine).toHaveLength(MY_PROFILES.length);
    for (const p of mine) {
      expect(p.resources, p.name).toBeGreaterThan(0);
      expect(p.missing, p.name).toEqual([]);
    }
  });

  it('keeps the age and sex rules on the resources', () => {
    const ageAt = (o: Observation) => ageOn(patientOf(o).member.birthDate, o.effectiveDateTime ?? o.effectivePeriod!.start!);
    expect(claiming('us-core-smokingstatus').every((o) => ageAt(o) >= 13)).toBe(true);
    expect(claiming('us-core-observation-sexual-orientation').every((o) => ageAt(o) >= 18)).toBe(true);
    const pregnancy = [...claiming('us-core-observation-pregnancystatus'), ...claiming('us-core-observation-pregnancyintent')];
    expect(pregnancy.length).toBeGreaterThan(0);
    for (const o of pregnancy) {
      expect(patientOf(o).member.sex).toBe('female');
      expect(ageAt(o)).toBeGreaterThanOrEqual(15);
      expect(ageAt(o)).toBeLessThanOrEqual(50);
    }
  });

  it('gives each PHQ-9 a total equal to the sum of its item answers, matching its QuestionnaireResponse', () => {
    const byId = new Map(social.map((r) => [`${r.resourceType}/${r.id}`, r]));
    const { phq9 } = codeMaps.clinical.social;
    const scoreOf = (code?: string) => phq9.answers.find((a) => a.code === code)!.score;
    const panels = claiming('us-core-observation-screening-assessment').filter((o) => o.code.coding?.[0]?.code === phq9.panel.code);
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      const members = panel.hasMember!.map((m) => byId.get(m.reference!) as Observation);
      const items = members.filter((m) => phq9.items.some((i) => i.code === m.code.coding?.[0]?.code));
      const total = members.find((m) => m.code.coding?.[0]?.code === phq9.total.code)!;
      expect(items).toHaveLength(9);
      const sum = items.reduce((s, o) => s + scoreOf(o.valueCodeableConcept?.coding?.[0]?.code), 0);
      expect(total.valueQuantity?.value).toBe(sum);
      const qr = byId.get(panel.derivedFrom![0]!.reference!) as QuestionnaireResponse;
      expect(qr.resourceType).toBe('QuestionnaireResponse');
      expect(qr.item!.find((i) => i.linkId === `/${phq9.total.code}`)!.answer![0]!.valueDecimal).toBe(sum);
      for (const o of items) {
        const answer = qr.item!.find((i) => i.linkId === `/${o.code.coding![0]!.code}`)!.answer![0]!.valueCoding!.code;
        expect(answer).toBe(o.valueCodeableConcept!.coding![0]!.code);
      }
    }
  });

  it('fills QuestionnaireResponse.item.item (PRAPARE) and leaves only the listed gaps', () => {
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const qr = coverage(resources, pkg, validator).profiles.find((p) => p.profile.endsWith('/us-core-questionnaireresponse'))!;
    expect(qr.missing).not.toContain('QuestionnaireResponse.item.item');
    expect(qr.missing).toEqual([]);
  });

  it('nests the Family Health Portrait follow-ups under the "Living?" answer (item.answer.item)', () => {
    const { ussgFht } = codeMaps.clinical.social;
    const responses = social.filter((r): r is QuestionnaireResponse => r.resourceType === 'QuestionnaireResponse' && r.questionnaire === ussgFht.questionnaire);
    expect(responses.length).toBeGreaterThanOrEqual(1);
    for (const qr of responses) {
      const story = patientOf(qr);
      expect(qr.item!.map((i) => i.linkId)).toEqual(ussgFht.relatives.map(() => ussgFht.familyMember.linkId));
      for (const member of qr.item!) {
        const details = member.item![0]!.item!;
        const living = details.find((i) => i.linkId === ussgFht.living.linkId)!.answer![0]!;
        const followUp = living.item![0]!;
        if (living.valueCoding!.code === ussgFht.living.yes.code) {
          expect(followUp.linkId).toBe(ussgFht.age.groupLinkId);
          // A parent is at least 20 years older than the member.
          expect(followUp.item![0]!.answer![0]!.valueDecimal).toBeGreaterThanOrEqual(ageOn(story.member.birthDate, qr.authored!.slice(0, 10)) + 20);
        } else {
          expect(followUp.linkId).toBe(ussgFht.ageAtDeath.groupLinkId);
          expect(ussgFht.ageAtDeath.answers.map((a) => a.code)).toContain(followUp.item![0]!.answer![0]!.valueCoding!.code);
        }
      }
    }
    // Coverage counts answer.item at the depth the instrument nests it (item.item.item.answer.item).
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const familyOnly = coverage(responses, pkg, validator).profiles.find((p) => p.profile.endsWith('/us-core-questionnaireresponse'))!;
    expect(familyOnly.missing).not.toContain('QuestionnaireResponse.item.answer.item');
  });

  it('answers the Exercise Vital Sign as its published Questionnaire nests it: minutes under a days answer above 0, at the top level', () => {
    const { evs } = codeMaps.clinical.social;
    const [questionnaire] = buildEvsQuestionnaire(c61) as [Questionnaire];
    expect(questionnaire.url).toBe(evs.questionnaire);
    expect(buildEvsQuestionnaire(ctx('3.1.1'))).toEqual([]);
    const errors = validator.validate([questionnaire]).filter((i) => i.severity === 'error');
    expect(errors).toEqual([]);
    const responses = social.filter((r): r is QuestionnaireResponse => r.resourceType === 'QuestionnaireResponse' && r.questionnaire === evs.questionnaire);
    const days = responses.map((qr) => qr.item![0]!.answer![0]!.valueDecimal!);
    // Both shapes appear in 25 members: some exercise (a nested follow-up), some do not (none).
    expect(days.some((d) => d === 0) && days.some((d) => d > 0)).toBe(true);
    // Each response item sits where the Questionnaire puts it, and an enableWhen-gated item only when enabled.
    const check = (items: QuestionnaireResponseItem[], defs: QuestionnaireItem[], parentAnswer?: number) => {
      for (const it of items) {
        const def = defs.find((d) => d.linkId === it.linkId);
        expect(def, it.linkId).toBeDefined();
        for (const w of def!.enableWhen ?? []) expect(w.operator === '>' && parentAnswer! > w.answerDecimal!, `${it.linkId} asked with ${parentAnswer}`).toBe(true);
        for (const a of it.answer ?? []) {
          expect(typeof a.valueDecimal).toBe(def!.type === 'decimal' ? 'number' : 'undefined');
          const enabledChildren = (def!.item ?? []).filter((c) => (c.enableWhen ?? []).every((w) => a.valueDecimal! > w.answerDecimal!));
          expect((a.item ?? []).map((c) => c.linkId)).toEqual(enabledChildren.map((c) => c.linkId));
          check(a.item ?? [], def!.item ?? [], a.valueDecimal);
        }
      }
    };
    for (const qr of responses) {
      const age = ageOn(patientOf(qr).member.birthDate, qr.authored!.slice(0, 10));
      expect(age).toBeGreaterThanOrEqual(18);
      expect(qr.item).toHaveLength(1);
      check(qr.item!, questionnaire.item!);
    }
  });

  it('answers PRAPARE with the LOINC answer codes of its Questionnaire, its sections nesting their questions', () => {
    const { prapare } = codeMaps.clinical.social;
    const responses = social.filter((r): r is QuestionnaireResponse => r.resourceType === 'QuestionnaireResponse' && r.questionnaire === prapare.questionnaire);
    expect(responses.length).toBeGreaterThanOrEqual(2);
    for (const qr of responses) {
      const story = patientOf(qr);
      expect(story.index % 4).toBe(0);
      expect(ageOn(story.member.birthDate, qr.authored!.slice(0, 10))).toBeGreaterThanOrEqual(18);
      expect(qr.item!.map((i) => i.linkId)).toEqual([`/${prapare.panel.code}`]);
      const sections = qr.item![0]!.item!;
      expect(sections.map((g) => g.linkId)).toEqual(prapare.groups.map((g) => `/${g.code}`));
      sections.forEach((section, gi) => {
        const group = prapare.groups[gi]!;
        expect(section.answer).toBeUndefined();
        expect(section.item!.map((i) => i.linkId)).toEqual(group.questions.map((q) => `/${group.code}/${q.code}`));
        section.item!.forEach((item, qi) => {
          const q = group.questions[qi]!;
          if (q.type !== 'choice') return expect(item.answer).toHaveLength(1);
          const codes = (item.answer ?? []).map((a) => a.valueCoding!.code);
          for (const c of codes) expect(q.answers!.map((a) => a.code)).toContain(c);
          if (!q.repeats) expect(codes).toHaveLength(1);
        });
      });
      // Derived answers agree with what the story knows of the member.
      const answerOf = (code: string) => sections.flatMap((g) => g.item!).find((i) => i.linkId.endsWith(`/${code}`))!.answer!;
      expect(answerOf('56799-0')[0]!.valueString).toBe(story.member.address.line[0]);
      const race = prapare.groups[0]!.questions.find((q) => q.code === '32624-9')!;
      expect(race.answers!.find((a) => a.code === answerOf('32624-9')[0]!.valueCoding!.code)!.matches).toContain(story.member.race.code);
    }
  });

  it('gives each PRAPARE a panel of section panels of item observations that agree with its response', () => {
    const byId = new Map(social.map((r) => [`${r.resourceType}/${r.id}`, r]));
    const { prapare } = codeMaps.clinical.social;
    const panels = claiming('us-core-observation-screening-assessment').filter((o) => o.code.coding?.[0]?.code === prapare.panel.code);
    expect(panels.length).toBeGreaterThanOrEqual(2);
    for (const panel of panels) {
      const qr = byId.get(panel.derivedFrom![0]!.reference!) as QuestionnaireResponse;
      expect(qr.resourceType).toBe('QuestionnaireResponse');
      const sections = panel.hasMember!.map((m) => byId.get(m.reference!) as Observation);
      expect(sections.map((o) => o.code.coding![0]!.code)).toEqual(prapare.groups.map((g) => g.code));
      for (const section of sections) {
        expect(section.category!.some((c) => c.coding?.[0]?.code === 'sdoh')).toBe(true);
        expect(section.derivedFrom).toEqual(panel.derivedFrom);
        const items = qr.item![0]!.item!.find((g) => g.linkId === `/${section.code.coding![0]!.code}`)!.item!;
        const observed = section.hasMember!.map((m) => byId.get(m.reference!) as Observation);
        // One observation per answer, in the response's order.
        const expected = items.flatMap((i) => (i.answer ?? []).map((a) => ({ code: i.linkId.split('/').pop(), a })));
        expect(observed).toHaveLength(expected.length);
        observed.forEach((o, k) => {
          const { code, a } = expected[k]!;
          expect(o.code.coding![0]!.code).toBe(code);
          if (a.valueCoding) expect(o.valueCodeableConcept!.coding![0]!.code).toBe(a.valueCoding.code);
          else if (a.valueString !== undefined) expect(o.valueString).toBe(a.valueString);
          else expect(o.valueQuantity!.value).toBe(a.valueInteger ?? a.valueDecimal);
        });
      }
    }
  });

  it('layers US Core Patient on the CARIN BB Patient without dropping its profile', () => {
    for (const p of patients as Patient[]) {
      expect(p.meta!.profile).toContain('http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|6.1.0');
      expect(p.meta!.profile!.some((x) => x.includes('C4BB-Patient'))).toBe(true);
    }
    expect(patients.some((p) => p.extension!.some((e) => e.url.endsWith('us-core-tribal-affiliation')))).toBe(true);
    expect(patients.some((p) => p.name!.some((n) => n.use === 'old' && n.period?.end))).toBe(true);
  });
});

describe('US Core social domain with 3.1.1', () => {
  it('builds smoking status only, claiming 3.1.1, and validates with 0 errors', async () => {
    const c311 = ctx('3.1.1');
    const old = stories.flatMap((s) => buildSocialResources(s, c311));
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((r) => r.meta!.profile!.every((p) => p.endsWith('us-core-smokingstatus|3.1.1')))).toBe(true);
    const pts = stories.map((s) => layerUsCorePatient(buildC4bbPatient(s, c311), s, c311));
    expect(pts.every((p) => !p.extension!.some((e) => e.url.endsWith('us-core-genderIdentity')))).toBe(true);
    const { createValidator } = await import('../../../src/validate/validator.js');
    const { SHARED_PACKAGES } = await import('../../helpers/packages.js');
    const v311 = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['us-core@3.1.1', 'carin-bb@2.0.0'] });
    const errors = v311.validate([...pts, ...old]).filter((i) => i.severity === 'error' && !/does not resolve/.test(i.message));
    expect(errors.slice(0, 10)).toEqual([]);
  }, 60_000);

  it('builds the same bytes twice', () => {
    const again = Array.from({ length: profile.members }, (_, i) => simulateMember({ profile, codeMaps, directory }, i));
    const bytes = (list: typeof stories) => JSON.stringify(list.flatMap((s) => [layerUsCorePatient(buildC4bbPatient(s, c61), s, c61), ...buildSocialResources(s, c61)]));
    expect(bytes(again)).toBe(bytes(stories));
  });
});
