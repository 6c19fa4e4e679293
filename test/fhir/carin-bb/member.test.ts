import type { Coverage, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { buildC4bbCoverage } from '../../../src/fhir/carin-bb/coverage.js';
import { buildCarinBbMemberResources } from '../../../src/fhir/carin-bb/index.js';
import { buildC4bbPatient } from '../../../src/fhir/carin-bb/patient.js';
import { buildC4bbRelatedPerson } from '../../../src/fhir/carin-bb/related-person.js';
import { FHIRSEED_RUN_TAG_SYSTEM, HTEST, ids } from '../../../src/fhir/context.js';
import { SYSTEMS } from '../../../src/fhir/systems.js';
import { dependentStory, fixtureCodeMaps, fixtureContext, subscriberStory } from '../../fixtures/carin-bb-fixture.js';
import { codeOf, fixtureResources } from './helpers/build.js';

const identifierOfType = (p: Patient | Coverage, system: string, code: string) =>
  p.identifier?.filter((i) => i.type?.coding?.some((c) => c.system === system && c.code === code)) ?? [];

describe('buildC4bbPatient', () => {
  it('should identify the member by member id (MB) and unique member id (um) under payer-specific systems', () => {
    const p = buildC4bbPatient(dependentStory, fixtureContext);
    const mb = identifierOfType(p, SYSTEMS.v2IdentifierType, 'MB');
    const um = identifierOfType(p, SYSTEMS.c4bbIdentifierType, 'um');
    expect(mb.map((i) => i.value)).toEqual([dependentStory.member.memberId]);
    expect(um.map((i) => i.value)).toEqual([dependentStory.member.uniqueMemberId]);
    expect(mb[0]!.system).toBe('https://fhirseed.example.org/fsx01/member-id');
    expect(um[0]!.system).toBe('https://fhirseed.example.org/fsx01/unique-member-id');
  });

  it('should add the MBI and Medicaid id only when the member has them', () => {
    const withIds = buildC4bbPatient(subscriberStory, fixtureContext);
    expect(withIds.identifier?.find((i) => i.system === SYSTEMS.mbi)?.value).toBe(subscriberStory.member.mbi);
    expect(identifierOfType(withIds, SYSTEMS.v2IdentifierType, 'MA').map((i) => i.value)).toEqual([subscriberStory.member.medicaidId]);
    const without = buildC4bbPatient(dependentStory, fixtureContext);
    expect(without.identifier).toHaveLength(2);
  });

  it('should give deceasedDateTime only to a member who died', () => {
    expect(buildC4bbPatient(subscriberStory, fixtureContext).deceasedDateTime).toBe(subscriberStory.member.deceasedDate);
    expect(buildC4bbPatient(dependentStory, fixtureContext)).not.toHaveProperty('deceasedDateTime');
  });

  it('should carry demographics: name, gender, birth date, phone and e-mail, address with country, language', () => {
    const p = buildC4bbPatient(dependentStory, fixtureContext);
    const m = dependentStory.member;
    expect(p.name?.[0]).toMatchObject({ family: m.name.family, given: m.name.given });
    expect(p.gender).toBe(m.sex);
    expect(p.birthDate).toBe(m.birthDate);
    expect(p.telecom?.map((t) => [t.system, t.value])).toEqual([['phone', m.phone], ['email', m.email]]);
    expect(p.address?.[0]).toMatchObject({ line: m.address.line, city: m.address.city, state: m.address.state, postalCode: m.address.postalCode, country: 'US' });
    expect(p.communication?.[0]?.language.coding?.[0]).toMatchObject({ system: SYSTEMS.language, code: m.language.code });
  });
});

describe('buildC4bbCoverage', () => {
  it('should make the subscriber the RelatedPerson for a dependent and the Patient for a subscriber', () => {
    const dep = buildC4bbCoverage(dependentStory, dependentStory.coverages[0]!, fixtureContext);
    expect(dep.subscriber?.reference).toBe(`RelatedPerson/${ids.subscriber(dependentStory)}`);
    expect(dep.beneficiary.reference).toBe(`Patient/${ids.patient(dependentStory)}`);
    expect(codeOf(dep.relationship)).toBe('child');
    const self = buildC4bbCoverage(subscriberStory, subscriberStory.coverages[0]!, fixtureContext);
    expect(self.subscriber?.reference).toBe(`Patient/${ids.patient(subscriberStory)}`);
    expect(codeOf(self.relationship)).toBe('self');
  });

  it('should carry member id, subscriber id, dependent number, period, status, payer, and group and plan classes', () => {
    const fact = subscriberStory.coverages[0]!;
    const c = buildC4bbCoverage(subscriberStory, fact, fixtureContext);
    expect(identifierOfType(c, SYSTEMS.v2IdentifierType, 'MB').map((i) => i.value)).toEqual([subscriberStory.member.memberId]);
    expect(c.subscriberId).toBe(subscriberStory.member.subscriberId);
    expect(c.dependent).toBe('01');
    expect(c.status).toBe('cancelled');
    expect(c.period).toEqual({ start: fact.start, end: fact.end });
    expect(c.payor).toEqual([{ reference: `Organization/${fixtureContext.directory.payer.id}` }]);
    expect(c.class?.map((k) => [codeOf(k.type), k.value, k.name])).toEqual([
      ['group', fact.group.id, fact.group.name],
      ['plan', fact.planId, fact.planName],
    ]);
  });

  it('should code the coverage type from the code map by plan type, and leave it out when the map has none', () => {
    const fact = dependentStory.coverages[0]!;
    expect(buildC4bbCoverage(dependentStory, fact, fixtureContext).type?.coding?.[0]).toMatchObject({ system: SYSTEMS.v3ActCode, code: 'HIP' });
    const tables = new Map(fixtureCodeMaps.tables);
    tables.delete('coverage-type');
    const ctx = { ...fixtureContext, codeMaps: { ...fixtureCodeMaps, tables } };
    expect(buildC4bbCoverage(dependentStory, fact, ctx)).not.toHaveProperty('type');
  });
});

describe('buildC4bbRelatedPerson', () => {
  it('should describe the subscriber of a dependent, as the parent of a child', () => {
    const rp = buildC4bbRelatedPerson(dependentStory, fixtureContext) as RelatedPerson;
    const sub = dependentStory.member.subscriber!;
    expect(rp.id).toBe(ids.subscriber(dependentStory));
    expect(rp.active).toBe(true);
    expect(rp.patient.reference).toBe(`Patient/${ids.patient(dependentStory)}`);
    expect(rp.relationship?.[0]?.coding?.[0]).toMatchObject({ system: SYSTEMS.v3RoleCode, code: 'PRN' });
    expect(rp.name?.[0]?.family).toBe(sub.name.family);
    expect(rp.telecom?.[0]?.value).toBe(sub.phone);
    expect(rp.address?.[0]?.city).toBe(sub.address.city);
  });

  it('should build nothing for a subscriber', () => {
    expect(buildC4bbRelatedPerson(subscriberStory, fixtureContext)).toBeUndefined();
  });
});

describe('buildCarinBbMemberResources', () => {
  it('should return Patient, RelatedPerson, Coverages and EOBs in that order', () => {
    const types = buildCarinBbMemberResources(dependentStory, fixtureContext).map((r) => r.resourceType);
    const n = dependentStory.claims.length;
    expect(types).toEqual(['Patient', 'RelatedPerson', 'Coverage', 'Coverage', ...Array(n).fill('ExplanationOfBenefit')]);
    expect(buildCarinBbMemberResources(subscriberStory, fixtureContext).map((r) => r.resourceType).slice(0, 2)).toEqual(['Patient', 'Coverage']);
  });

  it('should give every resource lastUpdated, its versioned profile, the HTEST label and the run tag', () => {
    for (const r of fixtureResources()) {
      expect(r.meta?.lastUpdated).toBe(fixtureContext.lastUpdated);
      expect(r.meta?.profile?.[0]).toMatch(/^http:\/\/hl7\.org\/fhir\/us\/carin-bb\/StructureDefinition\/C4BB-[A-Za-z-]+\|2\.0\.0$/);
      expect(r.meta?.security).toEqual([HTEST]);
      expect(r.meta?.tag).toEqual([{ system: FHIRSEED_RUN_TAG_SYSTEM, code: fixtureContext.runId }]);
    }
  });

  it('should use only relative references that resolve to a resource of the fixture', () => {
    const all = fixtureResources();
    const known = new Set(all.map((r) => `${r.resourceType}/${r.id}`));
    const references: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'reference' && typeof v === 'string') references.push(v);
          else walk(v);
        }
      }
    };
    walk(all);
    expect(references.length).toBeGreaterThan(0);
    expect(references.filter((r) => !known.has(r))).toEqual([]);
  });

  it('should give every resource a valid, unique FHIR id', () => {
    const all = fixtureResources().map((r) => r.id!);
    expect(new Set(all).size).toBe(all.length);
    for (const id of all) expect(id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
  });

  it('should name code systems only from SYSTEMS', () => {
    const known = new Set<string>([...Object.values(SYSTEMS), HTEST.system]);
    const systems = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (Array.isArray(o.coding)) for (const c of o.coding as { system?: string }[]) if (c.system) systems.add(c.system);
        if (o.valueCoding && typeof o.valueCoding === 'object') systems.add((o.valueCoding as { system: string }).system);
        Object.values(o).forEach(walk);
      }
    };
    walk(fixtureResources());
    expect([...systems].filter((s) => !known.has(s))).toEqual([]);
  });
});
