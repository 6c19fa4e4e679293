import type { CapabilityStatement } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { assertModeSupported, readCapabilities } from '../../src/seed/capabilities.js';
import { deletionOrder } from '../../src/seed/purge.js';

const statement = (extra: Partial<CapabilityStatement> = {}, interactions = ['transaction', 'batch']): CapabilityStatement => ({
  resourceType: 'CapabilityStatement', status: 'active', date: '2025-01-01', kind: 'instance', fhirVersion: '4.0.1', format: ['json'],
  rest: [{
    mode: 'server',
    interaction: interactions.map((code) => ({ code: code as 'transaction' })),
    resource: [{ type: 'Patient', supportedProfile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient|2.0.0'] }],
  }],
  ...extra,
});

describe('reading a CapabilityStatement', () => {
  it('should find the declared profiles and the transaction and batch interactions', () => {
    const c = readCapabilities(statement({ instantiates: ['http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server'] }));
    expect(c.transaction).toBe(true);
    expect(c.profiles).toEqual(['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient|2.0.0', 'http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server']);
    expect(c.maxBundleSize).toBeUndefined();
  });

  it('should take a bundle size limit from a max-bundle-size extension', () => {
    const c = readCapabilities(statement({ extension: [{ url: 'https://example.org/fhir/StructureDefinition/max-bundle-size', valueInteger: 25 }] }));
    expect(c.maxBundleSize).toBe(25);
  });

  it('should refuse transaction mode when the server lists interactions without transaction', () => {
    expect(() => assertModeSupported(readCapabilities(statement({}, ['batch'])), 'transaction')).toThrow(/--mode batch/);
    expect(() => assertModeSupported(readCapabilities(statement({}, ['batch'])), 'batch')).not.toThrow();
    // A statement that lists no system interactions at all says nothing either way.
    expect(() => assertModeSupported(readCapabilities(statement({}, [])), 'transaction')).not.toThrow();
  });
});

describe('purge order', () => {
  it('should delete referrers before what they refer to, other tagged types in between', () => {
    const order = deletionOrder(['Organization', 'Patient', 'Observation', 'Coverage', 'ExplanationOfBenefit', 'RelatedPerson', 'Practitioner', 'Basic']);
    expect(order).toEqual(['ExplanationOfBenefit', 'Observation', 'Basic', 'Coverage', 'RelatedPerson', 'Patient', 'Practitioner', 'Organization']);
  });
});
