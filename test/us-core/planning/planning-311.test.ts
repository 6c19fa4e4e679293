import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { buildPlanningResources } from '../../../src/fhir/us-core/domain-planning.js';
import { buildUsCoreProvenance } from '../../../src/fhir/us-core/provenance.js';
import { simulateMember } from '../../../src/story/simulate.js';
import { coverage } from '../../../src/validate/coverage.js';
import { createValidator } from '../../../src/validate/validator.js';
import { codeMaps } from '../../helpers/output.js';
import { SHARED_PACKAGES } from '../../helpers/packages.js';
import { buildContext, directory, profile } from '../../helpers/population.js';

const ctx = buildContext('3.1.1');
const resources: Resource[] = Array.from({ length: profile.members }, (_, i) => simulateMember({ profile, codeMaps, directory }, i)).flatMap((s) => {
  const own = buildPlanningResources(s, ctx);
  return [...own, ...buildUsCoreProvenance(s, own, ctx)];
});

describe('planning resources for US Core 3.1.1', () => {
  it('claim the 3.1.1 profiles and validate with no errors, filling every must-support element', async () => {
    const claimed = resources.flatMap((r) => r.meta?.profile ?? []);
    expect(claimed.filter((p) => p.includes('/us/core/') && !p.endsWith('|3.1.1'))).toEqual([]);
    // What US Core 3.1.1 has no profile for (the report's Media and impression) claims the base definition.
    expect(claimed.filter((p) => !p.includes('/us/core/')).every((p) => p.startsWith('http://hl7.org/fhir/StructureDefinition/'))).toBe(true);
    // 3.1.1 CareTeam members are Patient, Practitioner or Organization only.
    expect(resources.some((r) => r.resourceType === 'CareTeam' && r.participant?.some((p) => p.member?.reference?.startsWith('RelatedPerson/')))).toBe(false);
    const validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['us-core@3.1.1'] });
    const errors = validator.validate(resources).filter((i) => i.severity === 'error' && !/does not resolve/.test(i.message));
    expect(errors.slice(0, 5)).toEqual([]);
    const usCore = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const byName = new Map(coverage(resources, usCore, validator).profiles.map((p) => [p.profile.split('/').pop(), p]));
    for (const id of ['us-core-careplan', 'us-core-goal', 'us-core-careteam', 'us-core-documentreference', 'us-core-diagnosticreport-note', 'us-core-provenance']) {
      expect([id, byName.get(id)?.missing]).toEqual([id, []]);
    }
  }, 60_000);
});
