import type { Identifier } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { buildCarinBbDirectoryResources } from '../../../src/fhir/carin-bb/index.js';
import { buildC4bbPayerOrganization, buildC4bbProviderOrganization } from '../../../src/fhir/carin-bb/organization.js';
import { buildC4bbPractitioner } from '../../../src/fhir/carin-bb/practitioner.js';
import { SYSTEMS } from '../../../src/fhir/systems.js';
import { isValidNpi } from '../../../src/util/check-digits.js';
import { fixtureContext, fixtureDirectory } from '../../fixtures/carin-bb-fixture.js';
import { codeOf } from './helpers/build.js';

const typeCode = (i: Identifier) => codeOf(i.type);

describe('buildC4bbPayerOrganization', () => {
  it('should carry the payer id, NAIC code and tax id as their C4BB slices', () => {
    const org = buildC4bbPayerOrganization(fixtureContext);
    expect(org.id).toBe(fixtureDirectory.payer.id);
    const byType = Object.fromEntries((org.identifier ?? []).map((i) => [typeCode(i), i]));
    expect(byType.payerid).toMatchObject({ value: 'FSX01', type: { coding: [{ system: SYSTEMS.c4bbIdentifierType }] } });
    expect(byType.naiccode).toMatchObject({ value: '99999', system: SYSTEMS.naic });
    expect(byType.TAX).toMatchObject({ value: '900000001', system: SYSTEMS.tin });
  });

  it('should be an active payer organization with name, phone and address', () => {
    const org = buildC4bbPayerOrganization(fixtureContext);
    expect(org.active).toBe(true);
    expect(org.type?.[0]?.coding?.[0]).toMatchObject({ system: SYSTEMS.organizationType, code: 'pay' });
    expect(org.name).toBe(fixtureDirectory.payer.name);
    expect(org.telecom?.[0]?.value).toBe(fixtureDirectory.payer.phone);
    expect(org.address?.[0]).toMatchObject({ city: fixtureDirectory.payer.address.city, country: 'US' });
  });

  it('should leave out the identifiers the payer does not have', () => {
    const ctx = { ...fixtureContext, directory: { ...fixtureDirectory, payer: { ...fixtureDirectory.payer, identifiers: [{ type: 'payerid' as const, value: 'P9' }] } } };
    expect(buildC4bbPayerOrganization(ctx).identifier?.map(typeCode)).toEqual(['payerid']);
  });
});

describe('buildC4bbProviderOrganization', () => {
  it('should carry a valid NPI and the tax id, and be typed a provider', () => {
    for (const fact of fixtureDirectory.organizations) {
      const org = buildC4bbProviderOrganization(fact, fixtureContext);
      expect(org.id).toBe(fact.id);
      const npi = org.identifier?.find((i) => i.system === SYSTEMS.npi);
      expect(npi && typeCode(npi)).toBe('NPI');
      expect(isValidNpi(npi!.value!)).toBe(true);
      expect(org.identifier?.find((i) => i.system === SYSTEMS.tin)?.value).toBe(fact.tin);
      expect(codeOf(org.type?.[0])).toBe('prov');
      expect(org).toMatchObject({ active: true, name: fact.name });
    }
  });
});

describe('buildC4bbPractitioner', () => {
  it('should carry NPI, name, phone, address and the NUCC taxonomy as a qualification', () => {
    const fact = fixtureDirectory.practitioners[0]!;
    const p = buildC4bbPractitioner(fact, fixtureContext);
    expect(p.identifier?.find((i) => i.system === SYSTEMS.npi)?.value).toBe(fact.npi);
    expect(p.name?.[0]).toMatchObject({ family: fact.name.family, given: fact.name.given, prefix: [fact.name.prefix] });
    expect(p.telecom?.[0]?.value).toBe(fact.phone);
    expect(p.address?.[0]?.line).toEqual(fact.address.line);
    expect(p.qualification?.[0]?.code.coding?.[0]).toEqual({ system: SYSTEMS.nucc, code: fact.taxonomy, display: 'Family Medicine Physician' });
  });

  it('should keep a taxonomy the code maps do not know, without a display', () => {
    const fact = fixtureDirectory.practitioners.find((p) => p.role === 'pharmacist')!;
    expect(buildC4bbPractitioner(fact, fixtureContext).qualification?.[0]?.code.coding?.[0]).toEqual({ system: SYSTEMS.nucc, code: fact.taxonomy });
  });
});

describe('buildCarinBbDirectoryResources', () => {
  it('should return the payer, then provider organizations, then practitioners', () => {
    const ids = buildCarinBbDirectoryResources(fixtureContext).map((r) => `${r.resourceType}/${r.id}`);
    expect(ids).toEqual([
      `Organization/${fixtureDirectory.payer.id}`,
      ...fixtureDirectory.organizations.map((o) => `Organization/${o.id}`),
      ...fixtureDirectory.practitioners.map((p) => `Practitioner/${p.id}`),
    ]);
  });
});
