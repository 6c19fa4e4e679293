import type { SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import { getSearchParameter, getSearchParameterDetails, getSearchParameters, globalSchema, tryGetDataType } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { readR4Resources } from '../../src/serve/r4-resources.js';
import { indexR4Definitions, indexR4Types, indexSearchParameters } from '../../src/serve/router.js';

/**
 * What a read worker indexes of R4 (src/serve/router.ts `indexR4Types`, c90ae63, issue 17), in process (issue 19:
 * r4-definitions.test.ts checks it in a child process, which Stryker's mutants do not reach). medplum's schema is
 * global to a process and vitest runs each test file in its own, so this file starts from an empty schema and must
 * not index R4 in any other way first. One test, in order: every step depends on what the ones before indexed.
 */

const isResource = (type: string) => tryGetDataType(type)?.kind === 'resource';

describe('indexR4Types', () => {
  it("should index only the types asked for (with every type's search parameters), once each, from the definitions handed over first", () => {
    indexR4Types(['Patient', 'NotAType', 'Patient']);
    expect(isResource('Patient')).toBe(true);
    expect(isResource('Claim')).toBe(false);
    expect(isResource('NotAType')).toBe(false);
    // Every type's parameters, split per type, and the Resource-level ones on every type.
    expect(getSearchParameter('Claim', 'patient')).toMatchObject({ base: ['Claim'], expression: 'Claim.patient' });
    expect(getSearchParameter('Observation', 'patient')?.expression).toBe('Observation.subject.where(resolve() is Patient)');
    expect(getSearchParameter('Binary', '_tag')?.expression).toBe('Binary.meta.tag');

    // Asked again: R4's parameters are not indexed again (a parameter taken out stays out) and Patient is not read
    // again (what medplum derived for it stays).
    const binary = getSearchParameters('Binary')!;
    const tag = binary._tag!;
    delete binary._tag;
    const patientSchema = globalSchema.types.Patient!;
    const marker = { type: 'marker' } as unknown as NonNullable<typeof patientSchema.searchParamsDetails>[string];
    patientSchema.searchParamsDetails = { ...patientSchema.searchParamsDetails, marker };
    try {
      indexR4Types(['Patient']);
      expect(binary._tag).toBeUndefined();
      expect(globalSchema.types.Patient!.searchParamsDetails?.marker).toBe(marker);
    } finally {
      binary._tag = tag;
    }

    // Definitions handed over are used for the types asked for, and only those: not read from the file (its
    // description would be R4's), not for a type not asked for (Account), not again for one indexed (Patient).
    const byType = new Map(readR4Resources(new Set(['Claim', 'Account', 'Patient'])).map((sd) => [sd.type, sd] as const));
    const handed = (type: string): StructureDefinition => ({ ...byType.get(type)!, description: `handed over: ${type}` });
    // Details medplum derived for Claim before its definition was there are dropped with the definition's arrival.
    const claimSchema = (globalSchema.types.Claim ??= {} as (typeof globalSchema.types)[string]);
    claimSchema.searchParamsDetails = { created: { type: 'stale' } as unknown as NonNullable<typeof claimSchema.searchParamsDetails>[string] };
    indexR4Types(['Claim', 'Coverage'], [handed('Claim'), handed('Account'), handed('Patient')]);
    expect(isResource('Claim')).toBe(true);
    expect(tryGetDataType('Claim')?.description).toBe('handed over: Claim');
    expect(getSearchParameterDetails('Claim', getSearchParameter('Claim', 'created')!)).toMatchObject({ type: 'DATETIME', array: false });
    // Coverage was not handed over: read from the file in the same call.
    expect(isResource('Coverage')).toBe(true);
    expect(tryGetDataType('Coverage')?.description).not.toMatch(/^handed over/);
    expect(isResource('Account')).toBe(false);
    expect(tryGetDataType('Patient')?.description).not.toMatch(/^handed over/);

    // An IG's parameters after a worker's indexing: added, without indexing every type's definition.
    indexSearchParameters([
      { resourceType: 'SearchParameter', url: 'http://example.org/x-worker', name: 'x-worker', status: 'active', code: 'x-worker', base: ['Claim'], type: 'token', expression: 'Claim.use', description: 'x' } as SearchParameter,
    ]);
    expect(getSearchParameter('Claim', 'x-worker')?.expression).toBe('Claim.use');
    expect(isResource('ResearchStudy')).toBe(false);

    // The server thread's indexR4Definitions indexes the rest, leaving those indexed as they are.
    indexR4Definitions();
    expect(isResource('ResearchStudy')).toBe(true);
    expect(isResource('Account')).toBe(true);
    expect(tryGetDataType('Claim')?.description).toBe('handed over: Claim');
    expect(getSearchParameter('Binary', '_tag')?.expression).toBe('Binary.meta.tag');
  }, 300_000);
});
