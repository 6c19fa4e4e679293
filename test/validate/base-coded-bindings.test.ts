import { beforeAll, describe, expect, it } from 'vitest';
import type { Issue, Validator } from '../../src/validate/validator.js';
import { checkResource, sharedValidator } from '../helpers/validator.js';

/**
 * R4's required bindings on Coding and CodeableConcept elements, for a resource no loaded profile checks (s18 N2
 * item 3): before, the base walk checked only `code` elements' (Patient.gender), so a bare Condition's made-up
 * clinicalStatus passed. R4 binds 14 such elements `required` (Condition.clinicalStatus and verificationStatus,
 * AllergyIntolerance's, AdverseEvent.severity and outcome, InsurancePlan…cost.applicability, SupplyDelivery.type…).
 */

let validator: Validator;
beforeAll(async () => {
  validator = await sharedValidator();
}, 600_000);

const check = (r: unknown): Issue[] => checkResource(validator, r);
const said = (issues: Issue[]) => issues.map((i) => `${i.severity} ${i.path}: ${i.message}${i.profile ? ` [${i.profile}]` : ''}`);

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VS = 'http://hl7.org/fhir/ValueSet/condition-clinical|4.0.1';
const condition = (clinicalStatus: unknown) => ({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' }, clinicalStatus });

describe('base R4: required bindings on CodeableConcept elements of an unprofiled resource', () => {
  it('a made-up code is one error naming the element and the value set; a right code none', () => {
    expect(said(check(condition({ coding: [{ system: CLINICAL, code: 'sort-of-better' }] })))).toEqual([
      `error Condition.clinicalStatus: code 'sort-of-better' is not in the value set (required binding ${VS})`,
    ]);
    expect(check(condition({ coding: [{ system: CLINICAL, code: 'active' }] }))).toEqual([]);
  });

  it('a code of another system is one error naming the systems the value set includes', () => {
    expect(said(check(condition({ coding: [{ system: 'http://example.org/status', code: 'active' }] })))).toEqual([
      `error Condition.clinicalStatus: code system 'http://example.org/status' is not one the value set includes (${CLINICAL}) (required binding ${VS})`,
    ]);
  });

  it('one coding in the value set is enough; a CodeableConcept with text alone is not judged', () => {
    expect(check(condition({ coding: [{ system: 'http://example.org/status', code: 'x' }, { system: CLINICAL, code: 'remission' }] }))).toEqual([]);
    expect(check(condition({ text: 'getting better' }))).toEqual([]);
  });

  it('reaches backbone elements and other resources: AllergyIntolerance.verificationStatus, InsurancePlan…cost.applicability', () => {
    const allergy = { resourceType: 'AllergyIntolerance', id: 'a1', patient: { reference: 'Patient/p1' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] }, verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'maybe' }] } };
    expect(said(check(allergy))).toEqual([
      "error AllergyIntolerance.verificationStatus: code 'maybe' is not in the value set (required binding http://hl7.org/fhir/ValueSet/allergyintolerance-verification|4.0.1)",
    ]);
    const plan = (code: string) => ({
      resourceType: 'InsurancePlan',
      id: 'ip1',
      name: 'Gold',
      plan: [{ specificCost: [{ category: { text: 'Medical' }, benefit: [{ type: { text: 'Visit' }, cost: [{ type: { text: 'copay' }, applicability: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/applicability', code }] } }] }] }] }],
    });
    expect(said(check(plan('sometimes')))).toEqual([
      "error InsurancePlan.plan[0].specificCost[0].benefit[0].cost[0].applicability: code 'sometimes' is not in the value set (required binding http://hl7.org/fhir/ValueSet/insuranceplan-applicability|4.0.1)",
    ]);
    expect(check(plan('in-network'))).toEqual([]);
  });

  it('a resource a loaded profile checks gets the binding from the profile only, not twice', () => {
    const profiled = { ...condition({ coding: [{ system: CLINICAL, code: 'sort-of-better' }] }), meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-problems-health-concerns'] } };
    const binding = check(profiled).filter((i) => i.message.includes('sort-of-better'));
    expect(binding.length).toBeGreaterThan(0);
    expect(binding.filter((i) => !i.profile)).toEqual([]);
  });
});
