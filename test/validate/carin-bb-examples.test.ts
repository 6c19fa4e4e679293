import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Issue, Validator } from '../../src/validate/validator.js';
import { examplesOf, sharedValidator } from '../helpers/validator.js';

let validator: Validator;
let examples: Resource[];
beforeAll(async () => {
  validator = await sharedValidator();
  examples = examplesOf(validator, 'hl7.fhir.us.carin-bb').map((e) => e.resource);
});

const errors = (issues: Issue[]) => issues.filter((i) => i.severity === 'error');

function example(type: string, id: string): any {
  const r = examples.find((e) => e.resourceType === type && e.id === id);
  if (!r) throw new Error(`no example ${type}/${id}`);
  return structuredClone(r);
}

/** Validates a broken copy in the company of the other examples, so its references resolve. */
function validateBroken(broken: any): Issue[] {
  const others = examples.filter((e) => !(e.resourceType === broken.resourceType && e.id === broken.id));
  return errors(validator.validate([...others, broken])).filter((i) => i.resourceType === broken.resourceType && i.id === broken.id);
}

function expectIssue(issues: Issue[], path: string, message: RegExp): void {
  expect(issues.some((i) => i.path === path && message.test(i.message)), JSON.stringify(issues, null, 1)).toBe(true);
}

describe('the validator on the CARIN BB 2.0.0 examples', () => {
  it('should find no errors in any example (validated as one set, so references resolve)', () => {
    expect(examples.length).toBeGreaterThan(25);
    // No allow-list is needed: every CARIN BB 2.0.0 example validates cleanly.
    expect(errors(validator.validate(examples))).toEqual([]);
  });

  it('should check every example against a profile the packages define', () => {
    for (const e of examples) {
      expect(e.meta?.profile?.length, `${e.resourceType}/${e.id}`).toBeGreaterThan(0);
      for (const p of e.meta!.profile!) expect(validator.profile(p), p).toBeDefined();
    }
  });
});

describe('the validator on broken copies of CARIN BB examples', () => {
  it('should report a missing element the profile requires', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    delete eob.identifier;
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit.identifier', /0 present, profile requires at least 1/);
  });

  it('should report a missing element the base resource requires', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    delete eob.patient;
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit.patient', /missing required element 'patient'/);
  });

  it('should report a missing required slice', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.supportingInfo = eob.supportingInfo.filter((s: any) => s.category.coding[0].code !== 'dayssupply');
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit.supportingInfo:dayssupply', /0 present, profile requires at least 1/);
  });

  it('should report a value that breaks a pattern', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.type.coding[0].code = 'institutional';
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit.type', /does not match pattern/);
  });

  it('should report a code outside a required value set', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    const status = eob.adjudication.find((a: any) => a.category.coding[0].code === 'benefitpaymentstatus');
    status.reason.coding[0].code = 'not-a-status';
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit.adjudication:benefitpaymentstatus.reason', /code 'not-a-status' is not in the value set/);
  });

  it('should report a bare code outside its required value set', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.use = 'not-a-use';
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit.use', /code 'not-a-use' is not in required value set/);
  });

  it('should report a coding from a code system the value set does not include', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.item[0].productOrService.coding[0].system = 'http://www.ama-assn.org/go/cpt';
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit.item.productOrService', /code system 'http:\/\/www.ama-assn.org\/go\/cpt' is not one the value set includes/);
  });

  it('should report an unknown element', () => {
    const patient = example('Patient', 'Patient1');
    patient.favouriteColour = 'blue';
    patient.name[0].nickname = 'Bob';
    const issues = validateBroken(patient);
    expectIssue(issues, 'Patient.favouriteColour', /unknown element 'favouriteColour'/);
    expectIssue(issues, 'Patient.name[0].nickname', /unknown element 'nickname'/);
  });

  it('should report a reference to the wrong resource type', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.patient.reference = `Organization/${examples.find((e) => e.resourceType === 'Organization')!.id}`;
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit.patient', /points to a Organization, allowed: Patient/);
  });

  it('should report a reference that does not resolve within the set', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.patient.reference = 'Patient/nobody';
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit.patient', /'Patient\/nobody' does not resolve within the validated set/);
  });

  it('should report dates that are malformed or not on the calendar', () => {
    const patient = example('Patient', 'Patient1');
    patient.birthDate = '1990-02-30';
    expectIssue(validateBroken(patient), 'Patient.birthDate', /not a real calendar date/);
    patient.birthDate = '12/01/1990';
    expectIssue(validateBroken(patient), 'Patient.birthDate', /is not a valid date/);
  });

  it('should report an element that must not be an array, and a wrong choice type', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.status = [eob.status];
    eob.item[0].servicedPeriod = { start: eob.item[0].servicedDate };
    delete eob.item[0].servicedDate;
    const issues = validateBroken(eob);
    expectIssue(issues, 'ExplanationOfBenefit.status', /must not be an array/);
    expectIssue(issues, 'ExplanationOfBenefit.item.serviced[x]', /type of 'servicedPeriod' is not allowed here/);
  });

  it('should report a broken FHIRPath invariant', () => {
    const eob = example('ExplanationOfBenefit', 'EOBPharmacy1');
    eob.meta.profile = eob.meta.profile.map((p: string) => p.split('|')[0]);
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit', /invariant EOB-pharmacy-meta-profile-version failed/);
  });

  it('should evaluate invariants that use memberOf() against the package value sets', () => {
    const eob = example('ExplanationOfBenefit', 'EOBProfessionalTransportation1');
    for (const item of eob.item) delete item.informationSequence;
    expectIssue(validateBroken(eob), 'ExplanationOfBenefit', /invariant EOB-prof-all-transportation-supportinginfo-linked-to-line failed/);
  });
});
