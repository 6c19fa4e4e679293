import { getResourceTypes, getSearchParameters } from '@medplum/core';
import type { CapabilityStatement, CapabilityStatementRestResource, SearchParameter } from '@medplum/fhirtypes';
import { loadPackages } from '../validate/packages.js';

/** The IGs whose profiles the CapabilityStatement lists when their packages are found. */
export const PROFILE_IGS = ['carin-bb@2.0.0', 'us-core@6.1.0'];

const INTERACTIONS = ['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type'] as const;

export interface ProfileListing {
  /** resource type → canonical URLs of the profiles on it */
  byType: Map<string, string[]>;
  /** Why some IG's profiles are not listed (package not found). */
  notes: string[];
  /** The IGs' own SearchParameters (CARIN BB: service-date, service-start-date, billable-period-start, …). */
  searchParameters: SearchParameter[];
}

/** Reads the profile StructureDefinitions of the IG packages; a missing package is a note, not an error. */
export function findProfiles(packagesDir?: string): ProfileListing {
  const byType = new Map<string, string[]>();
  const notes: string[] = [];
  const searchParameters: SearchParameter[] = [];
  for (const ig of PROFILE_IGS) {
    try {
      const { packages } = loadPackages([ig], packagesDir);
      const named = packages[0];
      for (const sd of named?.resources ?? []) {
        if (sd?.resourceType === 'SearchParameter') searchParameters.push(sd as unknown as SearchParameter);
        if (sd?.resourceType !== 'StructureDefinition' || sd.kind !== 'resource' || sd.derivation !== 'constraint') continue;
        const list = byType.get(sd.type) ?? [];
        list.push(sd.url);
        byType.set(sd.type, list);
      }
    } catch (error) {
      notes.push(`${ig}: ${(error as Error).message}`);
    }
  }
  return { byType, notes, searchParameters };
}

/**
 * The server's CapabilityStatement: every R4 resource type with the interactions the HTTP layer
 * serves, its search parameters, and the IG profiles found in the packages.
 */
export function capabilityStatement(base: string, profiles: ProfileListing, authMode: string, tokenEndpoint: string): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = getResourceTypes().map((type) => {
    const params = Object.values(getSearchParameters(type) ?? {});
    const supportedProfile = profiles.byType.get(type);
    return {
      type,
      ...(supportedProfile ? { supportedProfile } : {}),
      interaction: INTERACTIONS.map((code) => ({ code })),
      versioning: 'versioned',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalUpdate: true,
      conditionalDelete: 'single',
      searchInclude: params.filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`).concat('*'),
      searchRevInclude: [],
      searchParam: params.map((p) => ({ name: p.code ?? '', definition: p.url, type: p.type })),
      ...(type === 'Patient' ? { operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }] } : {}),
    };
  });
  const notes = profiles.notes.length ? ` Profiles not listed: ${profiles.notes.join('; ')}.` : '';
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    name: 'FhirseedSandbox',
    title: 'fhirseed embedded sandbox FHIR server',
    description: `In-memory FHIR R4 sandbox (fhirseed serve) on @medplum/fhir-router.${notes}`,
    software: { name: 'fhirseed serve' },
    implementation: { description: 'fhirseed sandbox', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        ...(authMode.startsWith('smart-')
          ? {
              security: {
                service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
                extension: [
                  {
                    url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
                    extension: [
                      { url: 'token', valueUri: tokenEndpoint },
                      ...(authMode === 'smart-patient' ? [{ url: 'authorize', valueUri: tokenEndpoint.replace(/token$/, 'authorize') }] : []),
                    ],
                  },
                ],
              },
            }
          : {}),
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  };
}
