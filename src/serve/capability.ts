import { getResourceTypes, getSearchParameters } from '@medplum/core';
import type { CapabilityStatement, CapabilityStatementRestResource, SearchParameter } from '@medplum/fhirtypes';
import { loadPackages, parseIg } from '../validate/packages.js';
import { PAYER_OPERATIONS, type PayerCapability } from './payer-capability.js';

/** The IGs whose profiles and search parameters are read when no output manifest names other versions. */
export const PROFILE_IGS = ['carin-bb@2.0.0', 'us-core@6.1.0'];

/** The payer IGs whose profiles the CapabilityStatement lists when it instantiates their statements. */
const PAYER_PROFILE_IGS = ['hl7.fhir.us.davinci-pdex-plan-net@1.1.0', 'hl7.fhir.us.davinci-drug-formulary@2.0.1', 'hl7.fhir.us.davinci-pdex@2.0.0'];

/**
 * The IG packages whose profiles the server reads: CARIN BB and US Core at the versions `served` (the output
 * manifest's `igs`, see manifestIgs) names, else PROFILE_IGS's, and the payer IGs (Plan-Net, Formulary, PDex).
 */
export function profileIgs(served?: Record<string, string>): string[] {
  const core = PROFILE_IGS.map((ig) => {
    const { name, version } = parseIg(ig);
    return `${name}@${served?.[name] ?? version}`;
  });
  return [...core, ...PAYER_PROFILE_IGS];
}

const INTERACTIONS = ['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type'] as const;

export interface ProfileListing {
  /** `packageId|version` (`hl7.fhir.us.core|3.1.1`) → resource type → canonical URLs of that package's profiles on it */
  byPackage: Map<string, Map<string, string[]>>;
  /** Why some IG's profiles are not listed (package not found). */
  notes: string[];
  /** The CARIN BB and US Core SearchParameters (CARIN BB: service-date, service-start-date, billable-period-start, …). */
  searchParameters: SearchParameter[];
}

/**
 * Reads the profile StructureDefinitions of the IG packages `igs` (`name@version`; default: profileIgs() — CARIN BB
 * 2.0.0, US Core 6.1.0 and the payer IGs), and the CARIN BB and US Core SearchParameters (the payer IGs' come from
 * igSearchParameters). A missing package is a note, not an error.
 */
export function findProfiles(packagesDir?: string, igs: string[] = profileIgs()): ProfileListing {
  const byPackage = new Map<string, Map<string, string[]>>();
  const notes: string[] = [];
  const searchParameters: SearchParameter[] = [];
  for (const ig of igs) {
    const { name, version } = parseIg(ig);
    try {
      const { packages } = loadPackages([ig], packagesDir);
      const byType = new Map<string, string[]>();
      for (const sd of packages[0]?.resources ?? []) {
        if (sd?.resourceType === 'SearchParameter' && CORE_IGS.some((c) => c.packageId === name)) searchParameters.push(sd as unknown as SearchParameter);
        if (sd?.resourceType !== 'StructureDefinition' || sd.kind !== 'resource' || sd.derivation !== 'constraint') continue;
        byType.set(sd.type, [...(byType.get(sd.type) ?? []), sd.url]);
      }
      byPackage.set(`${name}|${version}`, byType);
    } catch (error) {
      notes.push(`${ig}: ${(error as Error).message}`);
    }
  }
  return { byPackage, notes, searchParameters };
}

/**
 * The CARIN BB and US Core server statements this server's statement may instantiate, their ImplementationGuides
 * (at the version the output names, else this one) and the canonical base of their profiles.
 */
const CORE_IGS = [
  { packageId: 'hl7.fhir.us.carin-bb', version: '2.0.0', statement: 'http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb', canonicalBase: 'http://hl7.org/fhir/us/carin-bb/' },
  { packageId: 'hl7.fhir.us.core', version: '6.1.0', statement: 'http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server', canonicalBase: 'http://hl7.org/fhir/us/core/' },
];

/** Search parameter types the in-memory engine can evaluate; composite and special ones are refused (400). */
export const SUPPORTED_PARAM_TYPES = new Set(['number', 'date', 'string', 'token', 'reference', 'quantity', 'uri']);

/** The revinclude every US Core server lists (its kit asks for it on 18 types), though Provenance.target may point anywhere. */
const GENERIC_REVINCLUDES_LISTED = new Set(['Provenance:target']);

/**
 * Whether a reference parameter is listed as a `_revinclude` of the types it targets. One that may point to
 * any type (List.item, Provenance.entity, the definitions' composed-of …: 80 parameters in R4) is still
 * answered, but listed on every one of the 147 types it made half a megabyte of the statement; a server lists
 * the revincludes of its data instead, so those are left out, but Provenance:target.
 */
function advertisedRevInclude(source: string, p: SearchParameter, typeCount: number): boolean {
  const generic = (p.target?.length ?? 0) >= typeCount / 2;
  return !generic || GENERIC_REVINCLUDES_LISTED.has(`${source}:${p.code}`);
}

/**
 * The server's CapabilityStatement: every R4 resource type with the interactions the HTTP layer
 * serves, the search parameters it evaluates, every `_include` (each reference parameter and `Type:*`)
 * and `_revinclude` (each reference parameter of any type that can point to it) it answers, the IG
 * profiles of the IGs it names, and the CARIN BB and US Core server statements it instantiates. `served`, the
 * output manifest's `igs` (package id → version; see manifestIgs), limits those to the IGs the data was made for
 * (a carin-bb-only output instantiates no US Core statement and lists no US Core profile; a US Core 3.1.1 output
 * lists the 3.1.1 profiles, when `profiles` read that package); undefined: both, at PROFILE_IGS's versions. The
 * payer IGs' profiles are listed when `payer` names their ImplementationGuide (see payerCapability). An IG is named in
 * `implementationGuide` only when `profiles` read its package (`packageId|version` in byPackage).
 */
export function capabilityStatement(base: string, profiles: ProfileListing, authMode: string, tokenEndpoint: string, payer: PayerCapability = { instantiates: [], implementationGuides: [] }, served?: Record<string, string>): CapabilityStatement {
  const core = CORE_IGS.filter((ig) => !served || ig.packageId in served);
  // The profiles of exactly the IGs (and versions) the statement names in implementationGuide.
  const listed = [...core.map((ig) => `${ig.packageId}|${served?.[ig.packageId] ?? ig.version}`), ...payer.implementationGuides.map((url) => url.replace(/^.*\/ImplementationGuide\//, ''))];
  const types = getResourceTypes();
  const searchable = (type: string) => Object.values(getSearchParameters(type) ?? {}).filter((p) => SUPPORTED_PARAM_TYPES.has(p.type ?? ''));
  const revIncludes = new Map<string, string[]>();
  for (const source of types) {
    for (const p of searchable(source)) {
      if (p.type !== 'reference' || !advertisedRevInclude(source, p, types.length)) continue;
      for (const target of p.target ?? []) revIncludes.set(target, [...(revIncludes.get(target) ?? []), `${source}:${p.code}`]);
    }
  }
  const resource: CapabilityStatementRestResource[] = types.map((type) => {
    const params = searchable(type);
    const supportedProfile = listed.flatMap((key) => profiles.byPackage.get(key)?.get(type) ?? []);
    const references = params.filter((p) => p.type === 'reference' && !p.code?.startsWith('_'));
    return {
      type,
      ...(supportedProfile?.length ? { supportedProfile } : {}),
      interaction: INTERACTIONS.map((code) => ({ code })),
      versioning: 'versioned',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalUpdate: true,
      conditionalDelete: 'single',
      searchInclude: [...references.map((p) => `${type}:${p.code}`), `${type}:*`],
      searchRevInclude: [...new Set(revIncludes.get(type) ?? [])].sort(),
      searchParam: params.map((p) => ({ name: p.code ?? '', definition: p.url, type: p.type })),
      ...(type === 'Patient' ? { operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }, ...PAYER_OPERATIONS.byType.Patient!] } : {}),
      ...(type === 'Group' ? { operation: PAYER_OPERATIONS.byType.Group } : {}),
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
    instantiates: [...core.map((ig) => ig.statement), ...payer.instantiates],
    // Only the IGs whose packages were read (V #6: served without them, it named all five with no profile listed).
    implementationGuide: [...core.map((ig) => `${ig.canonicalBase}ImplementationGuide/${ig.packageId}|${served?.[ig.packageId] ?? ig.version}`), ...payer.implementationGuides].filter(
      (url) => profiles.byPackage.has(url.replace(/^.*\/ImplementationGuide\//, '')),
    ),
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
        operation: PAYER_OPERATIONS.system,
        compartment: ['http://hl7.org/fhir/CompartmentDefinition/patient'],
      },
    ],
  };
}
