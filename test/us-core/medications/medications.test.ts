import type { AllergyIntolerance, ExplanationOfBenefit, Immunization, MedicationDispense, MedicationRequest, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../../src/fhir/systems.js';
import { ageInMonths } from '../../../src/story/clinical/medications-immunizations.js';
import { coverage } from '../../../src/validate/coverage.js';
import type { Validator } from '../../../src/validate/validator.js';
import { bundleResources, codeMaps, generateTo, shippedProfile, tempDir } from '../../helpers/output.js';
import { sharedValidator } from '../../helpers/validator.js';

const MINE = ['Medication', 'MedicationRequest', 'MedicationDispense', 'Immunization', 'AllergyIntolerance'];
const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function population(): Resource[] {
  const t = tempDir();
  temps.push(t.cleanup);
  const profile = shippedProfile('default');
  generateTo(t.dir, profile);
  return bundleResources(t.dir).flatMap((b) => b.resources);
}

const of = <T extends Resource>(rs: Resource[], type: T['resourceType']) => rs.filter((r): r is T => r.resourceType === type);
const patientOf = (r: { subject?: { reference?: string }; patient?: { reference?: string } }) => (r.subject ?? r.patient)?.reference;

let validator: Validator;
let resources: Resource[];
beforeAll(async () => {
  validator = await sharedValidator();
  resources = population();
});

describe('US Core medications domain on the default population', () => {
  it('gives every pharmacy EOB a MedicationRequest and a MedicationDispense of the RxNorm its NDC maps to, with the claim date and quantity', () => {
    const byNdc = new Map([...codeMaps.drugs.values()].map((d) => [d.ndc.code, d]));
    const eobs = of<ExplanationOfBenefit>(resources, 'ExplanationOfBenefit').filter((e) => e.type?.coding?.[0]?.code === 'pharmacy');
    expect(eobs.length).toBeGreaterThan(0);
    const requests = of<MedicationRequest>(resources, 'MedicationRequest');
    const dispenses = of<MedicationDispense>(resources, 'MedicationDispense');
    const medications = new Map(of<Resource & { code?: { coding?: { code?: string }[] } }>(resources, 'Medication').map((m) => [`Medication/${m.id}`, m]));
    const rxnormOf = (r: MedicationRequest) =>
      r.medicationCodeableConcept?.coding?.find((c) => c.system === SYSTEMS.rxnorm)?.code
      ?? medications.get(r.medicationReference?.reference ?? '')?.code?.coding?.[0]?.code;
    for (const eob of eobs) {
      const item = eob.item![0]!;
      // A compounded fill bills 'compound' with the ingredients' NDCs as details.
      const ndcs = [item.productOrService, ...(item.detail ?? []).map((d) => d.productOrService)].flatMap((c) => c.coding ?? []).filter((c) => c.system === SYSTEMS.ndc);
      const drug = ndcs.map((c) => byNdc.get(c.code!)).find(Boolean)!;
      expect(drug).toBeDefined();
      const patient = eob.patient.reference;
      expect(requests.some((r) => r.subject.reference === patient && rxnormOf(r) === drug.rxnorm.code)).toBe(true);
      const fill = dispenses.find((d) => patientOf(d) === patient && d.whenPrepared === item.servicedDate
        && (d.medicationCodeableConcept?.coding ?? (medications.get(d.medicationReference?.reference ?? '')?.code?.coding as { system?: string; code?: string }[] | undefined))
          ?.some((c) => c.system === SYSTEMS.ndc && c.code === drug.ndc.code));
      expect(fill, `${eob.id}`).toBeDefined();
      expect(fill!.quantity!.value).toBe(item.quantity?.value ?? drug.quantity);
      expect(fill!.daysSupply!.value).toBe(drug.daysSupply);
      const request = requests.find((r) => `MedicationRequest/${r.id}` === fill!.authorizingPrescription![0]!.reference)!;
      expect(request.authoredOn! <= item.servicedDate!).toBe(true);
      if (fill!.status === 'declined') expect(fill!.whenHandedOver).toBeUndefined();
      else expect(fill!.whenHandedOver).toBe(item.servicedDate);
    }
    expect(dispenses.length).toBe(eobs.length);
  });

  it('gives immunizations by the age schedule', () => {
    const meds = codeMaps.clinical.medications;
    const birth = new Map(of<Patient>(resources, 'Patient').map((p) => [`Patient/${p.id}`, p.birthDate!]));
    const byCvx = new Map([...meds.vaccines.values()].map((v) => [v.cvx.code, v.key]));
    const imms = of<Immunization>(resources, 'Immunization');
    expect(imms.some((i) => i.status === 'not-done' && i.statusReason)).toBe(true);
    for (const imm of imms) {
      const key = byCvx.get(imm.vaccineCode.coding![0]!.code!)!;
      const months = ageInMonths(birth.get(imm.patient.reference!)!, imm.occurrenceDateTime!);
      if (key === meds.seasonal.vaccine || key === meds.seasonal.highDoseVaccine) {
        expect(months).toBeGreaterThanOrEqual(meds.seasonal.ageMinMonths);
        expect(key === meds.seasonal.highDoseVaccine).toBe(months >= meds.seasonal.highDoseAgeYears * 12);
      } else {
        expect(meds.schedule.some((d) => d.vaccine === key && months >= d.ageMinMonths && months <= d.ageMaxMonths), `${imm.id} ${key} at ${months} months`).toBe(true);
      }
    }
    // Everyone 6 months or older alive in the fall gets (or declines) a flu shot this season.
    const flu = new Set(imms.filter((i) => i.occurrenceDateTime! >= '2025-09-01').map((i) => i.patient.reference));
    expect(flu.size).toBeGreaterThan(0);
  });

  it('never prescribes amoxicillin to a member allergic to penicillin, and records a "no known allergy"', () => {
    const allergies = of<AllergyIntolerance>(resources, 'AllergyIntolerance');
    expect(allergies.some((a) => a.code?.coding?.[0]?.code === '716186003')).toBe(true);
    const penicillin = new Set(allergies.filter((a) => a.code?.coding?.[0]?.code === '70618').map((a) => a.patient.reference));
    // Every drug with a penicillin-class ingredient (amoxicillin, amoxicillin/clavulanate …).
    const amoxicillin = new Set([...codeMaps.drugs.values()].filter((d) => /amoxicillin/.test(d.ingredient)).map((d) => d.rxnorm.code));
    expect(amoxicillin.size).toBeGreaterThan(2);
    for (const r of of<MedicationRequest>(resources, 'MedicationRequest')) {
      if (amoxicillin.has(r.medicationCodeableConcept?.coding?.[0]?.code ?? '')) expect(penicillin.has(r.subject.reference)).toBe(false);
    }
  });

  it('validates with 0 errors and covers every must-support element of its profiles in US Core 6.1.0', () => {
    const types = new Set(resources.map((r) => r.resourceType));
    // Validate this domain's resources with everything they reference (resolution is checked within the set).
    const related = new Set([...MINE, 'Patient', 'Practitioner', 'Organization', 'Location', 'Encounter', 'Condition']);
    const errors = validator.validate(resources.filter((r) => related.has(r.resourceType)))
      .filter((i) => i.severity === 'error' && MINE.includes(i.resourceType))
      // References into other domains' resources count only once those domains emit that type.
      .filter((i) => !/does not resolve/.test(i.message) || types.has(/'(\w+)\//.exec(i.message)?.[1] as Resource['resourceType']))
      .map((i) => `${i.resourceType}/${i.id}: ${i.path}: ${i.message}`);
    expect(errors.slice(0, 20)).toEqual([]);
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const report = coverage(resources, pkg, validator);
    for (const name of ['USCoreMedicationRequestProfile', 'USCoreMedicationDispenseProfile', 'USCoreMedicationProfile', 'USCoreImmunizationProfile', 'USCoreAllergyIntolerance']) {
      const p = report.profiles.find((x) => x.name === name)!;
      expect(p.resources, name).toBeGreaterThan(0);
      expect(p.missing, name).toEqual([]);
    }
    const requests = of<MedicationRequest>(resources, 'MedicationRequest');
    expect(requests.some((r) => r.medicationReference) && requests.some((r) => r.medicationCodeableConcept)).toBe(true);
    expect(requests.some((r) => r.reportedReference) && requests.some((r) => r.reportedBoolean !== undefined)).toBe(true);
  });

});
