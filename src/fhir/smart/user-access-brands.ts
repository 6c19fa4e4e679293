import type { Bundle, Endpoint, Extension, Organization } from '@medplum/fhirtypes';
import type { Profile } from '../../profile/types.js';
import { payerResourceIds } from '../../story/directory.js';

/** SMART App Launch 2.2.0 (STU 2.2) "User-access Brands and Endpoints" profiles. */
const SMART = 'http://hl7.org/fhir/smart-app-launch/StructureDefinition';
export const USER_ACCESS_PROFILES = {
  bundle: `${SMART}/user-access-brands-bundle`,
  brand: `${SMART}/user-access-brand`,
  endpoint: `${SMART}/user-access-endpoint`,
} as const;
/** Extensions the brand profile uses (FHIR extensions pack). */
export const BRAND_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/organization-brand';
export const PORTAL_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/organization-portal';
export const FHIR_VERSION_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/endpoint-fhir-version';
/** The brand's `type:pab` slice: the User Access Category value set holds organization-type codes; a payer is `ins`. */
const INSURANCE_COMPANY = { system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'ins', display: 'Insurance Company' };
/** The brands profile's identifier convention: the brand's web presence as a URL. */
export const URL_IDENTIFIER_SYSTEM = 'urn:ietf:rfc:3986';
/** The file `generate` writes the bundle to, at the top of the output directory. */
export const BRANDS_FILE = 'brands.json';

/** The payer's fictional web presence, under the reserved example.org domain like its identifier systems. */
export function payerWebsite(profile: Profile): { host: string; website: string } {
  const payerId = (profile.payer.identifiers.find((i) => i.type === 'payerid')?.value ?? profile.payer.memberIdPrefix).toLowerCase();
  const host = `${payerId}.fhirseed.example.org`;
  return { host, website: `https://www.${host}` };
}

/**
 * The payer's SMART User-access Brands Bundle (SMART App Launch 2.2.0, brands.html): a `collection`
 * Bundle with one brand Organization (user-access-brand: name, the website as telecom and as a
 * `urn:ietf:rfc:3986` identifier, the payer's own identifiers, type `ins`, the plan names as `alias`,
 * the organization-brand logo and an organization-portal naming the member portal and its FHIR
 * endpoint) and one Endpoint (user-access-endpoint: FHIR 4.0.1, hl7-fhir-rest, the developer page as
 * contact, `address` the FHIR base). Their ids are the payer's run-scoped ones (payerResourceIds in
 * src/story/directory.ts: `fs-<key>-brand`, `fs-<key>-patient-access`). `fhirBase` defaults to the payer's fictional production base;
 * `serve` publishes the file with its own base filled in. `now` (YYYY-MM-DD) is the bundle's timestamp.
 * A pure function of its inputs.
 */
export function buildUserAccessBrands(profile: Profile, now: string, fhirBase?: string): Bundle {
  const { host, website } = payerWebsite(profile);
  const base = fhirBase ?? `https://api.${host}/fhir`;
  const lastUpdated = `${now}T00:00:00Z`;
  const plans = profile.plans.map((p) => p.name);
  const ids = payerResourceIds(profile);
  const portal: Extension = {
    url: PORTAL_EXTENSION,
    extension: [
      { url: 'portalName', valueString: `${profile.payer.name} member portal` },
      { url: 'portalDescription', valueMarkdown: `Members of ${plans.join(', ')} sign in to see their coverage and claims.` },
      { url: 'portalUrl', valueUrl: `${website}/members` },
      { url: 'portalEndpoint', valueReference: { reference: `Endpoint/${ids.endpoint}`, display: `${profile.payer.name} Patient Access API` } },
    ],
  };
  const brand: Organization = {
    resourceType: 'Organization',
    id: ids.brand,
    meta: { profile: [USER_ACCESS_PROFILES.brand], lastUpdated },
    extension: [{ url: BRAND_EXTENSION, extension: [{ url: 'brandLogo', valueUrl: `${website}/logo.svg` }] }, portal],
    identifier: [
      { system: URL_IDENTIFIER_SYSTEM, value: `https://${host}` },
      ...profile.payer.identifiers.filter((i) => i.type === 'payerid').map((i) => ({ type: { text: 'Payer ID' }, value: i.value })),
    ],
    active: true,
    type: [{ coding: [INSURANCE_COMPANY] }],
    name: profile.payer.name,
    ...(plans.length ? { alias: plans } : {}),
    telecom: [{ system: 'url', value: website }],
    address: [{ state: profile.payer.state, country: 'US' }],
    endpoint: [{ reference: `Endpoint/${ids.endpoint}` }],
  };
  const endpoint: Endpoint = {
    resourceType: 'Endpoint',
    id: ids.endpoint,
    meta: { profile: [USER_ACCESS_PROFILES.endpoint], lastUpdated },
    extension: [{ url: FHIR_VERSION_EXTENSION, valueCode: '4.0.1' }],
    status: 'active',
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
    name: `${profile.payer.name} Patient Access API (FHIR R4)`,
    contact: [{ system: 'url', value: `${website}/developers` }],
    payloadType: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type', code: 'none' }] }],
    address: base,
  };
  return {
    resourceType: 'Bundle',
    id: 'user-access-brands',
    meta: { profile: [USER_ACCESS_PROFILES.bundle], lastUpdated },
    type: 'collection',
    timestamp: lastUpdated,
    entry: [
      { fullUrl: `${base}/Organization/${ids.brand}`, resource: brand },
      { fullUrl: `${base}/Endpoint/${ids.endpoint}`, resource: endpoint },
    ],
  };
}
