import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { buildMedicationResources } from '../../../src/fhir/us-core/domain-medications.js';
import { simulateMember } from '../../../src/story/simulate.js';
import { createValidator } from '../../../src/validate/validator.js';
import { codeMaps } from '../../helpers/output.js';
import { SHARED_PACKAGES } from '../../helpers/packages.js';
import { buildContext, defaultStories, directory, profile } from '../../helpers/population.js';

const stories = defaultStories();
const ctx = buildContext;

describe('medications domain with US Core 3.1.1', () => {
  it('builds no MedicationDispense (no 3.1.1 profile), claims 3.1.1 profiles and validates with 0 errors', async () => {
    const old: Resource[] = stories.flatMap((s) => buildMedicationResources(s, ctx('3.1.1')));
    expect(old.some((r) => r.resourceType === 'MedicationDispense')).toBe(false);
    expect(new Set(old.map((r) => r.resourceType))).toEqual(new Set(['Medication', 'MedicationRequest', 'Immunization', 'AllergyIntolerance']));
    expect(old.every((r) => (r.meta?.profile ?? []).every((p) => p.endsWith('|3.1.1')))).toBe(true);
    const validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['us-core@3.1.1'] });
    // References to other domains' resources (Encounter, Condition, Patient …) are not in this set.
    const errors = validator.validate(old).filter((i) => i.severity === 'error' && !/does not resolve/.test(i.message));
    expect(errors.slice(0, 10)).toEqual([]);
  }, 60_000);

  it('builds the same bytes twice', () => {
    const again = Array.from({ length: profile.members }, (_, i) => simulateMember({ profile, codeMaps, directory }, i));
    const bytes = (list: typeof stories) => JSON.stringify(list.flatMap((s) => buildMedicationResources(s, ctx('6.1.0'))));
    expect(bytes(again)).toBe(bytes(stories));
  });
});
