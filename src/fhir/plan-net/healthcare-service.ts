import type { HealthcareService, OrganizationAffiliation } from '@medplum/fhirtypes';
import type { PlanNetDirectory } from '../../story/plan-net-directory.js';
import type { ProviderOrgFact } from '../../story/types.js';
import { meta, ref, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { afterHoursPhone, availableTimes, directoryPhone, newPatientsExtension, nuccConcept, planNetConcept, planNetIds, planNetProfile } from './common.js';

/** HealthcareServiceCategoryCS, service-type and OrganizationAffiliationRoleCS codes of each kind of organization. */
const SERVICE = {
  hospital: { category: ['hosp', 'Hospital'], type: ['68', 'Emergency Medical'], role: ['hospital', 'Hospital'], name: 'Hospital services' },
  clinic: { category: ['outpat', 'Clinic or Outpatient Facility'], type: ['57', 'General Practice'], role: ['outpatient', 'Clinic or Outpatient Facility'], name: 'Primary care' },
  'dental-practice': { category: ['dent', 'Dental'], type: ['9', 'Dental'], role: ['outpatient', 'Clinic or Outpatient Facility'], name: 'General dentistry' },
  pharmacy: { category: ['pharm', 'Pharmacy'], type: ['63', 'Pharmacy'], role: ['pharmacy', 'Pharmacy'], name: 'Retail pharmacy' },
  ambulance: { category: ['trans', 'Transportation'], type: ['10', 'Ambulance'], role: ['transport', 'Transporation Provider'], name: 'Ambulance transport' },
} as const;

const FACILITY = new Set(['hospital', 'clinic', 'dental-practice']);
const DELIVERY = 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/delivery-method';

function factOf(ctx: BuildContext, pn: PlanNetDirectory, org: ProviderOrgFact) {
  return pn.organizations[ctx.directory.organizations.indexOf(org)]!;
}

/** Plan-Net HealthcareService: what an organization offers, where, when, and whether it takes new patients. */
export function buildPlanNetHealthcareService(org: ProviderOrgFact, ctx: BuildContext, pn: PlanNetDirectory): HealthcareService {
  const fact = factOf(ctx, pn, org);
  const s = SERVICE[org.kind];
  const facility = FACILITY.has(org.kind);
  return {
    resourceType: 'HealthcareService',
    id: planNetIds.healthcareService(org.id),
    meta: meta(ctx, [planNetProfile('plannet-HealthcareService')]),
    extension: [
      newPatientsExtension(fact.accepting, fact.networks[0], org.kind === 'dental-practice' ? 'Children and adults' : undefined),
      { url: DELIVERY, extension: [{ url: 'type', valueCodeableConcept: planNetConcept('planNetDeliveryMethod', 'physical', 'Physical') }] },
    ],
    identifier: [{ type: { coding: [{ system: SYSTEMS.v2IdentifierType, code: 'PRN', display: 'Provider number' }] }, system: 'https://fhirseed.example.org/healthcare-service', value: planNetIds.healthcareService(org.id) }],
    active: true,
    providedBy: ref('Organization', org.id),
    category: [planNetConcept('planNetHealthcareServiceCategory', s.category[0], s.category[1])],
    type: [{ coding: [{ system: SYSTEMS.serviceType, code: s.type[0], display: s.type[1] }] }],
    specialty: [nuccConcept(ctx, org.taxonomy)],
    ...(facility ? { location: [ref('Location', `${org.id}-loc`)] } : {}),
    name: `${org.name}: ${s.name}`,
    comment: `${s.name} at ${org.name}`,
    telecom: [directoryPhone(org.phone, fact.hours), ...(fact.partOf ? [afterHoursPhone(org.phone, fact.partOf)] : [])],
    coverageArea: [ref('Location', pn.serviceAreaId)],
    appointmentRequired: org.kind === 'clinic' || org.kind === 'dental-practice',
    availableTime: availableTimes(fact.hours, 'availableStartTime', 'availableEndTime'),
    notAvailable: [{ description: 'Closed on federal holidays', during: { start: `${ctx.profile.period.end.slice(0, 4)}-12-25`, end: `${ctx.profile.period.end.slice(0, 4)}-12-25` } }],
    availabilityExceptions: org.kind === 'hospital' || org.kind === 'ambulance' ? 'Open every day, all day' : 'Closed on federal holidays',
    ...(facility ? { endpoint: [ref('Endpoint', `${org.id}-endpoint`)] } : {}),
  };
}

/** A clinic's telehealth visits (video and phone): the virtual delivery method. */
export function buildPlanNetTelehealthService(org: ProviderOrgFact, ctx: BuildContext, pn: PlanNetDirectory): HealthcareService {
  const fact = factOf(ctx, pn, org);
  return {
    resourceType: 'HealthcareService',
    id: planNetIds.telehealthService(org.id),
    meta: meta(ctx, [planNetProfile('plannet-HealthcareService')]),
    extension: [
      newPatientsExtension('existptonly', fact.networks[0]),
      {
        url: DELIVERY,
        extension: [
          { url: 'type', valueCodeableConcept: planNetConcept('planNetDeliveryMethod', 'virtual', 'Virtual') },
          { url: 'virtualModalities', valueCodeableConcept: planNetConcept('planNetVirtualModalities', 'video', 'Video') },
          { url: 'virtualModalities', valueCodeableConcept: planNetConcept('planNetVirtualModalities', 'phone', 'Phone') },
        ],
      },
    ],
    active: true,
    providedBy: ref('Organization', org.id),
    category: [planNetConcept('planNetHealthcareServiceCategory', 'prov', 'Medical Provider')],
    type: [{ coding: [{ system: SYSTEMS.serviceType, code: '57', display: 'General Practice' }] }],
    specialty: [nuccConcept(ctx, org.taxonomy)],
    name: `${org.name}: telehealth visits`,
    telecom: [directoryPhone(org.phone, fact.hours)],
    coverageArea: [ref('Location', pn.serviceAreaId)],
    appointmentRequired: true,
    availableTime: availableTimes(fact.hours, 'availableStartTime', 'availableEndTime'),
    endpoint: [ref('Endpoint', `${org.id}-endpoint`)],
  };
}

/** Plan-Net OrganizationAffiliation: a provider organization's contract with the payer, in one of its networks. */
export function buildPlanNetOrganizationAffiliation(org: ProviderOrgFact, networkId: string, ctx: BuildContext, pn: PlanNetDirectory): OrganizationAffiliation {
  const fact = factOf(ctx, pn, org);
  const s = SERVICE[org.kind];
  const facility = FACILITY.has(org.kind);
  const start = `${Math.max(fact.licensedSince + 1, Number(ctx.profile.period.start.slice(0, 4)) - 5)}-01-01`;
  return {
    resourceType: 'OrganizationAffiliation',
    id: planNetIds.affiliation(org.id, networkId),
    meta: meta(ctx, [planNetProfile('plannet-OrganizationAffiliation')]),
    identifier: [{ type: { coding: [{ system: SYSTEMS.v2IdentifierType, code: 'PRN', display: 'Provider number' }] }, system: 'https://fhirseed.example.org/contract', value: planNetIds.affiliation(org.id, networkId) }],
    active: true,
    period: { start },
    organization: ref('Organization', ctx.directory.payer.id),
    participatingOrganization: ref('Organization', org.id),
    network: [ref('Organization', networkId)],
    code: [planNetConcept('planNetOrganizationAffiliationRole', s.role[0], s.role[1])],
    specialty: [nuccConcept(ctx, org.taxonomy)],
    ...(facility ? { location: [ref('Location', `${org.id}-loc`)] } : {}),
    healthcareService: [ref('HealthcareService', planNetIds.healthcareService(org.id))],
    telecom: [{ system: 'phone', value: org.phone, use: 'work', rank: 1 }],
    ...(facility ? { endpoint: [ref('Endpoint', `${org.id}-endpoint`)] } : {}),
  };
}
