import { describe, expect, it } from 'vitest';
import { createValidator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

/**
 * Errors in the published examples themselves, by `Type/id path`. Each is a defect of the example,
 * not of the validator:
 */
const KNOWN_EXAMPLE_DEFECTS: Record<string, string[]> = {
  'us-core@6.1.0': [],
  'us-core@3.1.1': [
    // entry[1].fullUrl is '/Medication/uscore-med2': R4's fullUrl is "the Absolute URL for the resource" (the HL7
    // validator's BUNDLE_ENTRY_URL_ABSOLUTE refuses it too).
    'Bundle/uscore-mo3 Bundle.entry[1].fullUrl',
    // presentedForm.hash is 'EQH/..AgME': '.' is not a base64 character.
    'DiagnosticReport/cardiology-report DiagnosticReport.presentedForm[0].hash',
    // The FlowRate component's unit is 'L/min', but the R4 vitalsigns profile US Core 3.1.1 builds on binds
    // component.value[x] (Quantity.code) to ucum-vitals-common (required), which has no L/min.
    'Observation/satO2-fiO2 Observation.component.value[x]',
    'Observation/satO2-fiO2 Observation.component:FlowRate.value[x]',
  ],
};

describe('the validator on the US Core examples', () => {
  it.each(Object.keys(KNOWN_EXAMPLE_DEFECTS))('should find no errors in the %s examples beyond their listed defects', async (ig) => {
    const validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: [ig] });
    const examples = validator.packages[0]!.examples.map((e) => e.resource);
    expect(examples.length).toBeGreaterThan(50);
    const errors = validator.validate(examples).filter((i) => i.severity === 'error');
    expect([...new Set(errors.map((i) => `${i.resourceType}/${i.id} ${i.path}`))].sort()).toEqual([...KNOWN_EXAMPLE_DEFECTS[ig]!].sort());
  });
});
