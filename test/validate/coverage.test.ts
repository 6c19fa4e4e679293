import { beforeAll, describe, expect, it } from 'vitest';
import { coverage, type CoverageReport } from '../../src/validate/coverage.js';
import type { Validator } from '../../src/validate/validator.js';
import { packageFiles } from '../helpers/packages.js';
import { examplesOf, sharedValidator } from '../helpers/validator.js';

let validator: Validator;
let report: CoverageReport;
beforeAll(async () => {
  validator = await sharedValidator();
  const carin = validator.packages.find((p) => p.name === 'hl7.fhir.us.carin-bb')!;
  report = coverage(examplesOf(validator, 'hl7.fhir.us.carin-bb').map((e) => e.resource), carin, validator);
});

/** Must-support counts per resource profile, read straight from the package files (not through src/validate). */
function mustSupportCountsFromSnapshots(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [file, bytes] of packageFiles('hl7.fhir.us.carin-bb-2.0.0')) {
    if (!/^StructureDefinition-[^/]+\.json$/.test(file)) continue;
    const sd = JSON.parse(bytes.toString('utf8'));
    if (sd.kind !== 'resource' || sd.derivation !== 'constraint' || sd.abstract) continue;
    counts.set(sd.url, sd.snapshot.element.filter((e: { mustSupport?: boolean }) => e.mustSupport === true).length);
  }
  return counts;
}

describe('must-support coverage of the CARIN BB examples', () => {
  it('should report every resource profile of the IG, with totals equal to the snapshot must-support counts', () => {
    const expected = mustSupportCountsFromSnapshots();
    expect(expected.size).toBeGreaterThanOrEqual(10); // Coverage, five EOB types, Organization, Patient, Practitioner, RelatedPerson
    expect(new Map(report.profiles.map((p) => [p.profile, p.total]))).toEqual(expected);
  });

  it('should count covered and missing elements that add up, with slices among them', () => {
    for (const p of report.profiles) {
      expect(p.covered + p.missing.length).toBe(p.total);
      if (p.resources === 0) expect(p.covered).toBe(0);
    }
    const eobPharmacy = report.profiles.find((p) => p.name === 'C4BBExplanationOfBenefitPharmacy')!;
    expect(eobPharmacy.resources).toBe(1);
    expect(eobPharmacy.covered).toBeGreaterThan(0);
    // The example carries the dayssupply slice, so that must-support slice counts as covered.
    expect(eobPharmacy.missing).not.toContain('ExplanationOfBenefit.supportingInfo:dayssupply');
  });

  it('should list an element as missing once the only resource filling it loses it', () => {
    const carin = validator.packages.find((p) => p.name === 'hl7.fhir.us.carin-bb')!;
    const examples = examplesOf(validator, 'hl7.fhir.us.carin-bb').map((e) => structuredClone(e.resource) as any);
    for (const r of examples) if (r.resourceType === 'Patient') delete r.birthDate;
    const patient = coverage(examples, carin, validator).profiles.find((p) => p.name === 'C4BBPatient')!;
    const before = report.profiles.find((p) => p.name === 'C4BBPatient')!;
    expect(before.missing).not.toContain('Patient.birthDate');
    expect(patient.missing).toContain('Patient.birthDate');
    expect(patient.covered).toBe(before.covered - 1);
  });

  it('should name the profiles no resource claims', () => {
    const claimed = report.profiles.filter((p) => p.resources > 0).map((p) => p.profile);
    expect([...report.unclaimed, ...claimed].sort()).toEqual(report.profiles.map((p) => p.profile).sort());
  });
});

describe('must-support coverage of extensions on primitive elements', () => {
  it('should count an extension slice on a primitive, which JSON keeps in the _name holder', () => {
    const usCore = validator.packages.find((p) => p.name === 'hl7.fhir.us.core' && p.version === '6.1.0')!;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw example JSON, changed freely below
    const example: any = examplesOf(validator, 'hl7.fhir.us.core').find((e) => e.file.endsWith('QuestionnaireResponse-glascow-coma-score.json'))!.resource;
    const slice = 'QuestionnaireResponse.questionnaire.extension:url';
    const qr = (r: unknown) => coverage([r as never], usCore, validator).profiles.find((p) => p.name === 'USCoreQuestionnaireResponseProfile')!;
    expect(example._questionnaire.extension[0].url).toBe('http://hl7.org/fhir/us/core/StructureDefinition/us-core-extension-questionnaire-uri');
    expect(qr(example).missing).not.toContain(slice);
    const without = structuredClone(example);
    delete without._questionnaire;
    expect(qr(without).missing).toContain(slice);
    const otherExtension = structuredClone(example);
    otherExtension._questionnaire.extension[0].url = 'http://example.org/not-the-slice';
    expect(qr(otherExtension).missing).toContain(slice);
  });
});

describe('must-support coverage of recursive elements', () => {
  it('should count item.answer.item on an item nested at any depth (contentReference)', () => {
    const usCore = validator.packages.find((p) => p.name === 'hl7.fhir.us.core' && p.version === '6.1.0')!;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw example JSON, changed freely below
    const base: any = examplesOf(validator, 'hl7.fhir.us.core').find((e) => e.file.endsWith('QuestionnaireResponse-glascow-coma-score.json'))!.resource;
    const qr = (r: unknown) => coverage([r as never], usCore, validator).profiles.find((p) => p.name === 'USCoreQuestionnaireResponseProfile')!;
    const answerWithFollowUp = { valueBoolean: true, item: [{ linkId: 'follow-up', answer: [{ valueString: 'yes' }] }] };
    const nested = structuredClone(base);
    nested.item = [{ linkId: 'group', item: [{ linkId: 'section', item: [{ linkId: 'q', answer: [answerWithFollowUp] }] }] }];
    expect(qr(nested).missing).not.toContain('QuestionnaireResponse.item.answer.item');
    expect(qr(nested).missing).not.toContain('QuestionnaireResponse.item.item');
    const flat = structuredClone(base);
    flat.item = [{ linkId: 'q', answer: [{ valueBoolean: true }] }];
    expect(qr(flat).missing).toContain('QuestionnaireResponse.item.answer.item');
    expect(qr(flat).missing).toContain('QuestionnaireResponse.item.item');
  });
});
