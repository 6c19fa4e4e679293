import { beforeAll, describe, expect, it } from 'vitest';
import { CompiledProfile } from '../../src/validate/profile.js';
import { Terminology } from '../../src/validate/terminology.js';
import type { Validator } from '../../src/validate/validator.js';
import { examplesOf, sharedValidator } from '../helpers/validator.js';

let validator: Validator;
beforeAll(async () => {
  validator = await sharedValidator();
});

/** The C4BB Pharmacy EOB profile with its header adjudication slicing made closed (no CARIN BB profile closes a non-choice slicing). */
function closedAdjudicationProfile(): CompiledProfile {
  const sd = structuredClone(validator.definitions.structureDefinition('http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy|2.0.0')!);
  const slicing = sd.snapshot!.element.find((e) => e.id === 'ExplanationOfBenefit.adjudication')!;
  slicing.slicing = { ...slicing.slicing, rules: 'closed' };
  return new CompiledProfile(sd, validator.definitions, new Terminology(validator.definitions));
}

describe('closed slicing', () => {
  it('should accept the example, whose header adjudications all fall in a slice', () => {
    const eob = examplesOf(validator, 'hl7.fhir.us.carin-bb').find((e) => e.resource.id === 'EOBPharmacy1')!.resource;
    const problems: string[] = [];
    closedAdjudicationProfile().check(eob, (path, message) => problems.push(`${path}: ${message}`));
    expect(problems).toEqual([]);
  });

  it('should report an adjudication that matches no slice', () => {
    const eob = structuredClone(examplesOf(validator, 'hl7.fhir.us.carin-bb').find((e) => e.resource.id === 'EOBPharmacy1')!.resource) as any;
    eob.adjudication.push({ category: { coding: [{ system: 'http://example.org/other', code: 'x' }] } });
    const problems: string[] = [];
    closedAdjudicationProfile().check(eob, (path, message) => problems.push(`${path}: ${message}`));
    expect(problems.filter((p) => p.startsWith('ExplanationOfBenefit.adjudication: ') && p.includes('matches no slice of a closed slicing'))).toHaveLength(1);
  });
});
