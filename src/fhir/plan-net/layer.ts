import type { Endpoint, Location, Organization, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import type { PlanNetDirectory } from '../../story/plan-net-directory.js';
import type { ProviderOrgFact } from '../../story/types.js';
import { ref, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import {
  afterHoursPhone,
  availableTimes,
  directoryPhone,
  geolocationExtension,
  newPatientsExtension,
  nuccConcept,
  planNetCoding,
  planNetConcept,
  planNetIds,
  qualificationExtension,
  withPlanNetProfile,
} from './common.js';
import { STATE_POINTS } from './state-points.js';

/** Plan-Net OrgTypeCS code of each kind of provider organization. */
const ORG_TYPE = {
  hospital: ['fac', 'Facility'],
  clinic: ['prvgrp', 'Provider Group'],
  'dental-practice': ['prvgrp', 'Provider Group'],
  pharmacy: ['fac', 'Facility'],
  ambulance: ['atyprv', 'Atypical Provider'],
} as const;

/** Plan-Net ProviderRoleCS code of each practitioner role. */
const PROVIDER_ROLE = { 'primary-care': ['ph', 'Physician'], specialist: ['ph', 'Physician'], dentist: ['de', 'Dentist'], pharmacist: ['rx', 'Pharmacy Service Providers'] } as const;

const ACCESSIBILITY = { hospital: ['adacomp', 'ADA compliant'], clinic: ['handiaccess', 'handicap accessible'], 'dental-practice': ['handiaccess', 'handicap accessible'] } as const;

/**
 * The directory resources the claims already use, also claiming their Plan-Net profile with what
 * it must-supports: organizations with their type, license, hours and endpoint; practitioners with
 * languages and license; roles with networks, new-patient flags and services; locations with hours,
 * position and accessibility; endpoints with their use case. One resource per real thing.
 */
export function layerPlanNet(resource: Resource, ctx: BuildContext, pn: PlanNetDirectory): Resource {
  switch (resource.resourceType) {
    case 'Organization':
      return resource.id === ctx.directory.payer.id ? layerPayer(resource, ctx) : layerOrganization(resource, ctx, pn);
    case 'Practitioner':
      return layerPractitioner(resource, ctx, pn);
    case 'PractitionerRole':
      return layerPractitionerRole(resource, ctx, pn);
    case 'Location':
      return layerLocation(resource, ctx, pn);
    case 'Endpoint':
      return layerEndpoint(resource);
    default:
      return resource;
  }
}

/** Directory id → index in directory.organizations / practitioners, made once per Plan-Net directory (large directories). */
const indexes = new WeakMap<PlanNetDirectory, Map<string, number>>();
function indexOf(ctx: BuildContext, pn: PlanNetDirectory, id: string): number {
  let index = indexes.get(pn);
  if (!index) {
    index = new Map([...ctx.directory.organizations.map((o, i) => [o.id, i] as const), ...ctx.directory.practitioners.map((p, i) => [p.id, i] as const)]);
    indexes.set(pn, index);
  }
  return index.get(id) ?? -1;
}

function orgFact(ctx: BuildContext, pn: PlanNetDirectory, id: string): { org: ProviderOrgFact; fact: PlanNetDirectory['organizations'][number] } | undefined {
  const i = indexOf(ctx, pn, id);
  return i < 0 ? undefined : { org: ctx.directory.organizations[i]!, fact: pn.organizations[i]! };
}

function layerPayer(o: Organization, ctx: BuildContext): Organization {
  const payer = ctx.directory.payer;
  return withPlanNetProfile(
    {
      ...o,
      extension: [{ url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/org-description', valueString: `${payer.name}: health plans and their provider networks` }],
      type: [...(o.type ?? []), planNetConcept('planNetOrgType', 'payer', 'Payer')],
      telecom: [{ ...directoryPhone(payer.phone, [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '08:00:00', close: '18:00:00' }]) }],
      address: (o.address ?? []).map((a) => ({ ...a, extension: geolocationExtension(payer.address), text: addressText(payer.address) })),
      contact: [{ purpose: { coding: [{ system: SYSTEMS.contactEntityType, code: 'PAYOR' }] }, name: { text: 'Provider Services' }, telecom: [{ system: 'phone', value: payer.phone, use: 'work' }] }],
      endpoint: [ref('Endpoint', planNetIds.payerEndpoint(payer.id))],
    },
    'plannet-Organization',
  );
}

function layerOrganization(o: Organization, ctx: BuildContext, pn: PlanNetDirectory): Organization {
  const found = orgFact(ctx, pn, o.id!);
  if (!found) return o;
  const { org, fact } = found;
  const [code, display] = ORG_TYPE[org.kind];
  return withPlanNetProfile(
    {
      ...o,
      extension: [
        qualificationExtension({ number: fact.licenseNumber, code: nuccConcept(ctx, org.taxonomy), state: org.address.state, since: fact.licensedSince, ctx }),
        { url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/org-description', valueString: `${org.name}, ${org.address.city}, ${org.address.state}` },
      ],
      type: [...(o.type ?? []), planNetConcept('planNetOrgType', code, display)],
      telecom: [directoryPhone(org.phone, fact.hours), ...(fact.partOf ? [afterHoursPhone(org.phone, fact.partOf)] : [])],
      address: (o.address ?? []).map((a) => ({ ...a, extension: geolocationExtension(org.address), text: addressText(org.address) })),
      ...(fact.partOf ? { partOf: ref('Organization', fact.partOf) } : {}),
      contact: [{ purpose: { coding: [{ system: SYSTEMS.contactEntityType, code: 'ADMIN' }] }, telecom: [{ system: 'phone', value: org.phone, use: 'work' }] }],
      // No Organization.endpoint: the facility's Endpoint names it as managingOrganization, and a pair referring
      // to each other can never be deleted from a server that keeps referential integrity (purge).
    },
    'plannet-Organization',
  );
}

function layerPractitioner(p: Practitioner, ctx: BuildContext, pn: PlanNetDirectory): Practitioner {
  const i = indexOf(ctx, pn, p.id!);
  if (i < 0) return p;
  const fact = pn.practitioners[i]!;
  const prac = ctx.directory.practitioners[i]!;
  const name = (p.name ?? []).map((n) => ({ ...n, text: [n.prefix?.join(' '), n.given?.join(' '), n.family].filter(Boolean).join(' ') }));
  return withPlanNetProfile(
    {
      ...p,
      active: true,
      name,
      telecom: p.telecom ?? [{ system: 'phone', value: prac.phone, use: 'work' }],
      address: (p.address ?? []).map((a) => ({ ...a, extension: geolocationExtension(prac.address) })),
      qualification: [
        {
          extension: [
            {
              url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/practitioner-qualification',
              extension: [
                { url: 'status', valueCode: 'active' },
                { url: 'whereValid', valueCodeableConcept: { coding: [{ system: SYSTEMS.uspsState, code: prac.address.state }] } },
              ],
            },
          ],
          identifier: [{ type: { coding: [{ system: SYSTEMS.v2IdentifierType, code: 'LN', display: 'License number' }] }, system: `https://fhirseed.example.org/license/${prac.address.state.toLowerCase()}`, value: fact.licenseNumber }],
          code: { coding: [{ system: SYSTEMS.v2Degree, code: fact.degree }] },
          period: { start: `${fact.licensedSince}-07-01` },
          issuer: { display: `${prac.address.state} state licensing board` },
        },
      ],
      communication: fact.languages.map((l) => ({
        extension: [{ url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency', valueCodeableConcept: planNetConcept('planNetLanguageProficiency', l.proficiency, PROFICIENCY[l.proficiency]) }],
        coding: [{ system: SYSTEMS.language, code: l.code }],
      })),
    },
    'plannet-Practitioner',
  );
}

const PROFICIENCY = { '50': 'Functional native proficiency', '40': 'Advanced professional proficiency', '30': 'General professional proficiency' } as const;

function layerPractitionerRole(r: PractitionerRole, ctx: BuildContext, pn: PlanNetDirectory): PractitionerRole {
  const practitionerId = r.practitioner?.reference?.split('/')[1];
  const i = indexOf(ctx, pn, practitionerId ?? '');
  if (i < 0) return r;
  const prac = ctx.directory.practitioners[i]!;
  const fact = pn.practitioners[i]!;
  const org = orgFact(ctx, pn, prac.organizationId);
  const [roleCode, roleDisplay] = PROVIDER_ROLE[prac.role];
  const code = (r.code?.length ? r.code : [{}]).map((c, k) => (k === 0 ? { ...c, coding: [...(c.coding ?? []), planNetCoding('planNetProviderRole', roleCode, roleDisplay)] } : c));
  const since = `${Math.max(fact.licensedSince, (org?.fact.licensedSince ?? 0)) + 1}-01-01`;
  return withPlanNetProfile(
    {
      ...r,
      extension: [
        newPatientsExtension(fact.accepting, fact.networks[0], prac.role === 'pharmacist' ? undefined : 'Ages 0-110'),
        ...(fact.networks[0] ? [{ url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/network-reference', valueReference: ref('Organization', fact.networks[0]) }] : []),
        qualificationExtension({ number: fact.licenseNumber, code: nuccConcept(ctx, prac.taxonomy), state: prac.address.state, since: fact.licensedSince, issuerOrgId: prac.organizationId, ctx }),
      ],
      identifier: [{ type: { coding: [{ system: SYSTEMS.v2IdentifierType, code: 'PRN', display: 'Provider number' }] }, system: 'https://fhirseed.example.org/practitioner-role', value: r.id! }],
      active: true,
      period: { start: since },
      code,
      ...(org && org.org.kind !== 'ambulance' ? { healthcareService: [ref('HealthcareService', planNetIds.healthcareService(org.org.id))] } : {}),
      telecom: [directoryPhone(prac.phone, fact.hours), afterHoursPhone(prac.phone, prac.organizationId)],
      availableTime: availableTimes(fact.hours, 'availableStartTime', 'availableEndTime'),
      notAvailable: [{ description: 'Closed on federal holidays', during: { start: `${ctx.profile.period.end.slice(0, 4)}-12-25`, end: `${ctx.profile.period.end.slice(0, 4)}-12-25` } }],
    },
    'plannet-PractitionerRole',
  );
}

function layerLocation(withMode: Location, ctx: BuildContext, pn: PlanNetDirectory): Location {
  // Plan-Net prohibits mode (0..1 in US Core, not must-support): a directory's locations are instances.
  const { mode: _mode, ...l } = withMode;
  const found = orgFact(ctx, pn, l.managingOrganization?.reference?.split('/')[1] ?? '');
  if (!found) return withMode;
  const { org, fact } = found;
  const point = STATE_POINTS[org.address.state];
  const [accessCode, accessDisplay] = ACCESSIBILITY[org.kind as keyof typeof ACCESSIBILITY] ?? ['handiaccess', 'handicap accessible'];
  const typeCode = org.kind === 'hospital' ? 'HOSP' : 'OF';
  const type = [typeCode, ctx.codeMaps.tables.get('location-type')?.codes.find((c) => c.code === typeCode)?.display ?? typeCode];
  return withPlanNetProfile(
    {
      ...l,
      extension: [
        newPatientsExtension(fact.accepting, fact.networks[0]),
        { url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/accessibility', valueCodeableConcept: planNetConcept('planNetAccessibility', accessCode, accessDisplay) },
      ],
      identifier: [{ type: { coding: [{ system: SYSTEMS.v2IdentifierType, code: 'NPI', display: 'National provider identifier' }] }, system: SYSTEMS.npi, value: org.npi }],
      alias: [org.name.replace(/ (General Hospital|Dental Care)$/, '')],
      description: `${org.name}, ${org.address.city}, ${org.address.state}`,
      type: [{ coding: [{ system: SYSTEMS.v3RoleCode, code: type[0], display: type[1] }] }],
      telecom: [directoryPhone(org.phone, fact.hours), ...(fact.partOf ? [afterHoursPhone(org.phone, fact.partOf)] : [])],
      ...(point ? { position: { latitude: point[0], longitude: point[1] } } : {}),
      ...(fact.partOf ? { partOf: ref('Location', `${fact.partOf}-loc`) } : {}),
      hoursOfOperation: availableTimes(fact.hours, 'openingTime', 'closingTime'),
      availabilityExceptions: 'Closed on federal holidays',
      endpoint: [ref('Endpoint', `${org.id}-endpoint`)],
    },
    'plannet-Location',
  );
}

function layerEndpoint(e: Endpoint): Endpoint {
  return withPlanNetProfile(
    {
      ...e,
      extension: [
        {
          url: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/endpoint-usecase',
          extension: [
            { url: 'type', valueCodeableConcept: { coding: [{ system: SYSTEMS.v3ActReason, code: 'TREAT', display: 'treatment' }] } },
            { url: 'standard', valueUri: 'http://hl7.org/fhir/us/core' },
          ],
        },
      ],
      payloadType: (e.payloadType ?? []).map((c, k) => (k === 0 ? { ...c, coding: [...(c.coding ?? []), planNetCoding('planNetEndpointPayloadType', 'NA', 'Not Applicable')] } : c)),
      payloadMimeType: ['application/fhir+json'],
      contact: [{ system: 'email', value: 'fhir-support@fhirseed.example.org', use: 'work' }],
    },
    'plannet-Endpoint',
  );
}

export function addressText(a: { line: string[]; city: string; state: string; postalCode: string }): string {
  return `${a.line.join(', ')}, ${a.city}, ${a.state} ${a.postalCode}`;
}
