import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { coverage } from '../../src/validate/coverage.js';
import type { Issue, Validator } from '../../src/validate/validator.js';
import { examplesOf, sharedValidator } from '../helpers/validator.js';

/**
 * "Break one thing" cases for each validator rule, on copies of the IG examples: the unbroken example
 * validates clean (so the issue is the break's), the broken copy gets exactly the expected issue.
 */
let validator: Validator;
let carin: Resource[];
let usCore: { file: string; resource: Resource }[];
beforeAll(async () => {
  validator = await sharedValidator();
  carin = examplesOf(validator, 'hl7.fhir.us.carin-bb').map((e) => e.resource);
  usCore = examplesOf(validator, 'hl7.fhir.us.core');
});

const errors = (issues: Issue[]) => issues.filter((i) => i.severity === 'error');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw example JSON, changed freely below
function carinExample(type: string, id: string): any {
  const r = carin.find((e) => e.resourceType === type && e.id === id);
  if (!r) throw new Error(`no example ${type}/${id}`);
  return structuredClone(r);
}

/** Errors of `resource` when validated with the other CARIN examples (so references resolve). */
function carinErrors(resource: Resource): Issue[] {
  const others = carin.filter((e) => !(e.resourceType === resource.resourceType && e.id === resource.id));
  return errors(validator.validate([...others, resource])).filter((i) => i.resourceType === resource.resourceType && i.id === resource.id);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw example JSON
function usCoreExample(file: string): any {
  const found = usCore.find((e) => e.file.endsWith(file));
  if (!found) throw new Error(`no US Core example ${file}`);
  return structuredClone(found.resource);
}

/** Errors of a US Core example validated alone, leaving out references that cannot resolve without its companions. */
function aloneErrors(resource: Resource): Issue[] {
  return errors(validator.validate([resource])).filter((i) => !/does not resolve within the validated set/.test(i.message));
}

const describeIssues = (issues: Issue[]) => JSON.stringify(issues.map((i) => `${i.path}: ${i.message}`), null, 1);
function expectOnly(issues: Issue[], path: string, message: RegExp): void {
  expect(issues.filter((i) => i.path === path && message.test(i.message)), describeIssues(issues)).toHaveLength(1);
}

describe('max cardinality', () => {
  it('should report a slice given more often than the profile allows (dayssupply 0..1)', () => {
    const eob = carinExample('ExplanationOfBenefit', 'EOBPharmacy1');
    expect(carinErrors(eob)).toEqual([]);
    const days = eob.supportingInfo.find((s: any) => s.category.coding[0].code === 'dayssupply');
    eob.supportingInfo.push({ ...structuredClone(days), sequence: Math.max(...eob.supportingInfo.map((s: any) => s.sequence)) + 1 });
    expectOnly(carinErrors(eob), 'ExplanationOfBenefit.supportingInfo:dayssupply', /^2 present, profile allows at most 1$/);
  });

  it('should report an element given more often than the profile allows (identifier:uniqueclaimid 1..1)', () => {
    const eob = carinExample('ExplanationOfBenefit', 'EOBPharmacy1');
    const unique = eob.identifier.find((i: any) => i.type?.coding?.[0]?.code === 'uc');
    expect(unique).toBeDefined();
    eob.identifier.push({ ...structuredClone(unique), value: `${unique.value}-2` });
    expectOnly(carinErrors(eob), 'ExplanationOfBenefit.identifier:uniqueclaimid', /^2 present, profile allows at most 1$/);
  });

  it('should report more values than the base resource allows (a max-1 element given twice, a choice given in two types)', () => {
    const eob = carinExample('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.insurance[0].coverage = [eob.insurance[0].coverage, eob.insurance[0].coverage];
    const issues = carinErrors(eob);
    expectOnly(issues, 'ExplanationOfBenefit.insurance[0].coverage', /^2 values, at most 1 allowed$/);
    const obs = usCoreExample('Observation-heart-rate.json');
    obs.valueString = 'about 44';
    expectOnly(aloneErrors(obs), 'Observation.value[x]', /^2 values, at most 1 allowed$/);
  });
});

describe('a slice with two discriminators (US Core vital signs: category on coding.code and coding.system)', () => {
  const file = 'Observation-heart-rate.json';

  it('should accept the example as it is', () => {
    expect(aloneErrors(usCoreExample(file))).toEqual([]);
  });

  it('should not match the slice when only the code matches', () => {
    const obs = usCoreExample(file);
    obs.category = [{ coding: [{ system: 'http://example.org/not-observation-category', code: 'vital-signs' }] }];
    expectOnly(aloneErrors(obs), 'Observation.category:VSCat', /^0 present, profile requires at least 1$/);
  });

  it('should not match the slice when only the system matches', () => {
    const obs = usCoreExample(file);
    obs.category = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }];
    expectOnly(aloneErrors(obs), 'Observation.category:VSCat', /^0 present, profile requires at least 1$/);
  });
});

describe('fixed and pattern values', () => {
  it('should report a value that differs from a fixed[x] (heart rate unit code fixed to /min)', () => {
    const obs = usCoreExample('Observation-heart-rate.json');
    expect(obs.valueQuantity.code).toBe('/min');
    obs.valueQuantity.code = '/h';
    expectOnly(aloneErrors(obs), 'Observation.value[x]:valueQuantity.code', /^"\/h" does not match fixed "\/min"$/);
  });

  it('should report a CodeableConcept missing the pattern coding (C4BB EOB type)', () => {
    const eob = carinExample('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.type = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] };
    expectOnly(carinErrors(eob), 'ExplanationOfBenefit.type', /does not match pattern/);
  });
});

describe('closed slicing on a choice (C4BB Pharmacy item.serviced[x]: servicedDate only)', () => {
  it('should report a type the closed choice slicing leaves out', () => {
    const eob = carinExample('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.item[0].servicedPeriod = { start: eob.item[0].servicedDate, end: eob.item[0].servicedDate };
    delete eob.item[0].servicedDate;
    expectOnly(carinErrors(eob), 'ExplanationOfBenefit.item.serviced[x]', /type of 'servicedPeriod' is not allowed here/);
  });
});

describe('required binding', () => {
  it('should report a coded value outside its required value set, and take one inside it', () => {
    const eob = carinExample('ExplanationOfBenefit', 'EOBPharmacy1');
    const network = eob.adjudication.find((a: any) => a.category.coding[0].code === 'billingnetworkstatus');
    expect(network).toBeDefined();
    const inside = network.reason.coding[0].code;
    network.reason.coding[0].code = 'nowhere';
    expectOnly(carinErrors(eob), 'ExplanationOfBenefit.adjudication:billingnetworkstatus.reason', /code 'nowhere' is not in the value set/);
    network.reason.coding[0].code = inside;
    expect(carinErrors(eob)).toEqual([]);
  });

  it('should report a bare code outside its required value set (Observation.status)', () => {
    const obs = usCoreExample('Observation-heart-rate.json');
    obs.status = 'finished';
    expectOnly(aloneErrors(obs), 'Observation.status', /code 'finished' is not in required value set/);
  });
});

describe('must-support coverage of values that are false or 0', () => {
  it('should count Organization.active = false, Patient.deceasedBoolean = false and insurance.focal = false as present', () => {
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.carin-bb')!;
    const examples = carin.map((r) => structuredClone(r) as any);
    for (const r of examples) {
      if (r.resourceType === 'Organization') r.active = false;
      if (r.resourceType === 'Patient') {
        delete r.deceasedDateTime;
        r.deceasedBoolean = false;
      }
      if (r.resourceType === 'ExplanationOfBenefit') for (const i of r.insurance ?? []) i.focal = false;
    }
    const report = coverage(examples, pkg, validator);
    const missing = (name: string) => report.profiles.find((p) => p.name === name)!.missing;
    expect(missing('C4BBOrganization')).not.toContain('Organization.active');
    expect(missing('C4BBPatient')).not.toContain('Patient.deceased[x]');
    expect(missing('C4BBExplanationOfBenefitPharmacy')).not.toContain('ExplanationOfBenefit.insurance.focal');
    // And they are missing once no resource holds them at all: the elements are counted, not skipped.
    for (const r of examples) {
      if (r.resourceType === 'Organization') delete r.active;
      if (r.resourceType === 'Patient') delete r.deceasedBoolean;
    }
    const without = coverage(examples, pkg, validator);
    expect(without.profiles.find((p) => p.name === 'C4BBOrganization')!.missing).toContain('Organization.active');
    expect(without.profiles.find((p) => p.name === 'C4BBPatient')!.missing).toContain('Patient.deceased[x]');
  });

  it('should count a quantity of 0 as present (C4BB Inpatient item.adjudication:allowedunits.value)', () => {
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.carin-bb')!;
    const inpatient = carin.filter((r) => (r.meta?.profile ?? []).some((p) => p.includes('C4BB-ExplanationOfBenefit-Inpatient-Institutional'))).map((r) => structuredClone(r) as any);
    expect(inpatient.length).toBeGreaterThan(0);
    const id = 'ExplanationOfBenefit.item.adjudication:allowedunits.value';
    const allowedUnits = { category: { coding: [{ system: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator', code: 'allowedunits' }] }, value: 0 };
    for (const eob of inpatient) {
      for (const item of eob.item ?? []) item.adjudication = [...(item.adjudication ?? []).filter((a: any) => a.category?.coding?.[0]?.code !== 'allowedunits'), structuredClone(allowedUnits)];
    }
    const profile = (rs: unknown[]) => coverage(rs as Resource[], pkg, validator).profiles.find((p) => p.name === 'C4BBExplanationOfBenefitInpatientInstitutional')!;
    expect(profile(inpatient).missing).not.toContain(id);
    for (const eob of inpatient) for (const item of eob.item ?? []) item.adjudication = item.adjudication.filter((a: any) => a.category?.coding?.[0]?.code !== 'allowedunits');
    expect(profile(inpatient).missing).toContain(id);
  });
});
