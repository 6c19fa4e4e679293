import type { ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import { buildCarinBbDirectoryResources, buildCarinBbMemberResources } from '../../../../src/fhir/carin-bb/index.js';
import { fixtureContext, fixtureStories } from '../../../fixtures/carin-bb-fixture.js';

/** Everything the fixture builds: the directory, then each member's resources. */
export function fixtureResources(): Resource[] {
  return [...buildCarinBbDirectoryResources(fixtureContext), ...fixtureStories.flatMap((s) => buildCarinBbMemberResources(s, fixtureContext))];
}

export function fixtureEobs(): ExplanationOfBenefit[] {
  return fixtureResources().filter((r): r is ExplanationOfBenefit => r.resourceType === 'ExplanationOfBenefit');
}

/** Resources grouped by the profile canonical in their meta. */
export function byProfile(resources: Resource[]): Map<string, Resource[]> {
  const map = new Map<string, Resource[]>();
  for (const r of resources) for (const c of r.meta?.profile ?? []) map.set(c, [...(map.get(c) ?? []), r]);
  return map;
}

export function codeOf(concept: { coding?: { code?: string }[] } | undefined): string | undefined {
  return concept?.coding?.[0]?.code;
}
