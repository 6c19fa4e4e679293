// The clinical record of a member seen only by a dentist (the dental profile) is the dentist's: its Provenance names the
// dentist as author on behalf of the dental practice. It named the practice alone (the author was drawn from the
// member's non-dental visits only), so US Core Provenance's must-support agent.onBehalfOf had no value in a dental
// population (s19 D sweep: dental 50 members, USCoreProvenance 10/11, PDex Provenance 12/13).
import type { Encounter, Provenance, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverage } from '../../../src/validate/coverage.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../../helpers/output.js';
import { sharedValidator } from '../../helpers/validator.js';

const US_CORE_PROVENANCE = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance';

describe('the Provenance of a dental-only population', () => {
  const temp = tempDir('fhirseed-dental-provenance-');
  let resources: Resource[];
  beforeAll(() => {
    generateTo(temp.dir, { ...shippedProfile('dental'), members: 10, igs: ['us-core'] });
    resources = bundleResources(temp.dir).flatMap((b) => b.resources);
  }, 600_000);
  afterAll(() => temp.cleanup());

  it("should name one of the member's dentists as author on behalf of that dentist's practice", () => {
    const encounters = resources.filter((r): r is Encounter => r.resourceType === 'Encounter');
    const clinical = resources.filter((r): r is Provenance => r.resourceType === 'Provenance' && r.id!.endsWith('prov1'));
    expect(clinical.length).toBeGreaterThan(0);
    for (const prov of clinical) {
      const patient = prov.target[0]!.reference;
      const visits = encounters.filter((e) => e.subject?.reference === patient);
      const seenBy = new Set(visits.flatMap((e) => (e.participant ?? []).map((p) => `${p.individual?.reference} ${e.serviceProvider?.reference}`)));
      const author = prov.agent.find((a) => a.type?.coding?.[0]?.code === 'author')!;
      expect(seenBy, prov.id).toContain(`${author.who?.reference} ${author.onBehalfOf?.reference}`);
      expect(author.who?.reference, prov.id).toMatch(/^Practitioner\//);
    }
  });

  it('should fill every must-support element of US Core Provenance', async () => {
    const validator = await sharedValidator();
    const usCore = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const report = coverage(resources, usCore, validator).profiles.find((p) => p.profile === US_CORE_PROVENANCE);
    expect(report?.resources).toBeGreaterThan(0);
    expect(report?.missing).toEqual([]);
  });
});
