import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { buildLabsVitalsResources } from '../../../src/fhir/us-core/domain-labs-vitals.js';
import { simulateMember } from '../../../src/story/simulate.js';
import { createValidator } from '../../../src/validate/validator.js';
import { codeMaps } from '../../helpers/output.js';
import { SHARED_PACKAGES } from '../../helpers/packages.js';
import { buildContext, directory, profile } from '../../helpers/population.js';

const ctx = buildContext('3.1.1');

describe('US Core 3.1.1 labs and vitals', () => {
  const resources = Array.from({ length: profile.members }, (_, i) => simulateMember({ profile, codeMaps, directory }, i)).flatMap((s) =>
    buildLabsVitalsResources(s, ctx),
  );

  it('claim the base FHIR vital-sign profiles and build no 6.1.0-only resources', () => {
    expect(resources.some((r) => r.resourceType === 'ServiceRequest' || r.resourceType === 'Specimen')).toBe(false);
    const profiles = new Set(resources.flatMap((r) => r.meta?.profile ?? []));
    for (const base of ['bp', 'heartrate', 'resprate', 'bodytemp', 'bodyheight', 'bodyweight', 'bmi', 'headcircum']) {
      expect(profiles.has(`http://hl7.org/fhir/StructureDefinition/${base}`)).toBe(true);
    }
    expect([...profiles].every((p) => !p.endsWith('|6.1.0'))).toBe(true);
    const bmi = resources.filter((r) => (r as Observation).code?.coding?.[0]?.code === '39156-5') as Observation[];
    expect(bmi.every((o) => o.valueQuantity)).toBe(true);
  });

  it('validate against US Core 3.1.1', async () => {
    const validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['us-core@3.1.1'] });
    // The validator does not yet follow a value discriminator (`code.coding.code`) into the nested
    // coding slice where base R4 bp fixes its codes, so every component matches both bp slices.
    const validatorGap = (path: string, profileUrl?: string) => profileUrl === 'http://hl7.org/fhir/StructureDefinition/bp' && /component:(Systolic|Diastolic)BP/.test(path);
    const errors = validator
      .validate(resources)
      .filter((i) => i.severity === 'error' && !/does not resolve/.test(i.message) && !validatorGap(i.path, i.profile));
    expect(errors.slice(0, 5)).toEqual([]);
  }, 60_000);
});
