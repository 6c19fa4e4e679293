import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildC4bbCoverage } from '../../../src/fhir/carin-bb/coverage.js';
import { buildC4bbEobInpatientInstitutional } from '../../../src/fhir/carin-bb/eob-inpatient-institutional.js';
import { buildC4bbEobOral } from '../../../src/fhir/carin-bb/eob-oral.js';
import { buildC4bbEobOutpatientInstitutional } from '../../../src/fhir/carin-bb/eob-outpatient-institutional.js';
import { buildC4bbEobPharmacy } from '../../../src/fhir/carin-bb/eob-pharmacy.js';
import { buildC4bbEobProfessionalNonClinician } from '../../../src/fhir/carin-bb/eob-professional-non-clinician.js';
import { buildC4bbEob, buildCarinBbDirectoryResources, buildCarinBbEobs, buildCarinBbMemberResources, buildMemberCoreResources } from '../../../src/fhir/carin-bb/index.js';
import { buildC4bbPayerOrganization, buildC4bbProviderOrganization } from '../../../src/fhir/carin-bb/organization.js';
import { buildC4bbPatient } from '../../../src/fhir/carin-bb/patient.js';
import { buildC4bbPractitioner } from '../../../src/fhir/carin-bb/practitioner.js';
import { buildC4bbRelatedPerson } from '../../../src/fhir/carin-bb/related-person.js';
import type { ClaimType } from '../../../src/profile/types.js';
import type { ClaimFact } from '../../../src/story/types.js';
import { dependentStory as story, fixtureContext as ctx, fixtureDirectory, subscriberStory } from '../../fixtures/carin-bb-fixture.js';

const claimOfType = (type: ClaimType): ClaimFact => story.claims.find((c) => c.type === type)!;

/** One case per public builder: the fixture's input, so the output is the same on every run (builders take no randomness). */
const CASES: Record<string, () => unknown> = {
  buildC4bbPatient: () => [buildC4bbPatient(story, ctx), buildC4bbPatient(subscriberStory, ctx)],
  buildC4bbCoverage: () => story.coverages.map((c) => buildC4bbCoverage(story, c, ctx)),
  buildC4bbRelatedPerson: () => buildC4bbRelatedPerson(story, ctx),
  buildC4bbPayerOrganization: () => buildC4bbPayerOrganization(ctx),
  buildC4bbProviderOrganization: () => buildC4bbProviderOrganization(fixtureDirectory.organizations[0]!, ctx),
  buildC4bbPractitioner: () => buildC4bbPractitioner(fixtureDirectory.practitioners[0]!, ctx),
  buildC4bbEobInpatientInstitutional: () => buildC4bbEobInpatientInstitutional(story, claimOfType('inpatient'), ctx),
  buildC4bbEobOutpatientInstitutional: () => buildC4bbEobOutpatientInstitutional(story, claimOfType('outpatient'), ctx),
  buildC4bbEobProfessionalNonClinician: () => buildC4bbEobProfessionalNonClinician(story, claimOfType('professional'), ctx),
  buildC4bbEobPharmacy: () => buildC4bbEobPharmacy(story, claimOfType('pharmacy'), ctx),
  buildC4bbEobOral: () => buildC4bbEobOral(story, claimOfType('oral'), ctx),
  buildC4bbEob: () => subscriberStory.claims.map((c) => buildC4bbEob(subscriberStory, c, ctx)),
  buildCarinBbMemberResources: () => buildCarinBbMemberResources(subscriberStory, ctx).map((r) => `${r.resourceType}/${r.id}`),
  buildCarinBbDirectoryResources: () => buildCarinBbDirectoryResources(ctx).map((r) => `${r.resourceType}/${r.id}`),
  buildMemberCoreResources: () => buildMemberCoreResources(subscriberStory, ctx).map((r) => `${r.resourceType}/${r.id}`),
  buildCarinBbEobs: () => buildCarinBbEobs(subscriberStory, ctx).map((r) => `${r.resourceType}/${r.id}`),
};

describe('CARIN BB builder snapshots', () => {
  it.each(Object.keys(CASES))('should build the same %s output from the fixture', (name) => {
    const first = CASES[name]!();
    expect(CASES[name]!()).toEqual(first);
    expect(first).toMatchSnapshot();
  });

  it('should have a snapshot case for every builder exported from src/fhir/carin-bb', async () => {
    const dir = join(process.cwd(), 'src', 'fhir', 'carin-bb');
    const builders: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) if (typeof value === 'function' && /^build[A-Z]/.test(name)) builders.push(name);
    }
    expect(builders.length).toBeGreaterThanOrEqual(14);
    expect(builders.filter((b) => !(b in CASES))).toEqual([]);
  });
});
