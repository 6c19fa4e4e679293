import type { CodeableConcept, Coding, ContactPoint, Extension, Identifier, Resource } from '@medplum/fhirtypes';
import type { AcceptingPatients, HoursFact } from '../../story/plan-net-directory.js';
import type { Address } from '../../story/types.js';
import { SYSTEMS, type PlanNetSystemName } from '../systems.js';
import { ref, type BuildContext } from '../context.js';
import { STATE_POINTS } from './state-points.js';

const PLAN_NET = 'http://hl7.org/fhir/us/davinci-pdex-plan-net';
export const PLAN_NET_VERSION = '1.1.0';

/** Versioned canonical of a Plan-Net profile, e.g. planNetProfile('plannet-Network'). */
export function planNetProfile(id: string): string {
  return `${PLAN_NET}/StructureDefinition/${id}|${PLAN_NET_VERSION}`;
}

/** The resource, also claiming a Plan-Net profile (after the profiles it already claims). */
export function withPlanNetProfile<T extends Resource>(resource: T, id: string): T {
  const canonical = planNetProfile(id);
  // A base R4 profile (claimed where no IG had one) gives way to the Plan-Net one.
  const profiles = (resource.meta?.profile ?? []).filter((p) => !p.startsWith('http://hl7.org/fhir/StructureDefinition/'));
  return { ...resource, meta: { ...resource.meta!, profile: profiles.includes(canonical) ? profiles : [...profiles, canonical] } };
}

/** A coding of a Plan-Net code system (src/util/systems.ts), e.g. planNetCoding('planNetOrgType', 'fac', 'Facility'). */
export function planNetCoding(codeSystem: PlanNetSystemName, code: string, display: string): Coding {
  return { system: SYSTEMS[codeSystem], code, display };
}

export function planNetConcept(codeSystem: PlanNetSystemName, code: string, display: string): CodeableConcept {
  return { coding: [planNetCoding(codeSystem, code, display)] };
}

const ext = (id: string) => `${PLAN_NET}/StructureDefinition/${id}`;

const ACCEPTING_DISPLAY: Record<AcceptingPatients, string> = { newpt: 'Accepting', existptonly: 'Accepting existing patients', nopt: 'Not accepting' };

/** The newpatients extension: whether new patients are taken, from which network. */
export function newPatientsExtension(accepting: AcceptingPatients, networkId: string | undefined, characteristics?: string): Extension {
  return {
    url: ext('newpatients'),
    extension: [
      { url: 'acceptingPatients', valueCodeableConcept: planNetConcept('planNetAcceptingPatients', accepting, ACCEPTING_DISPLAY[accepting]) },
      ...(networkId ? [{ url: 'fromNetwork', valueReference: ref('Organization', networkId) }] : []),
      ...(characteristics && accepting !== 'nopt' ? [{ url: 'characteristics', valueString: characteristics }] : []),
    ],
  };
}

/** The contactpoint-availabletime extensions of opening hours (one per block of days). */
export function availableTimeExtensions(hours: readonly HoursFact[]): Extension[] {
  return hours.map((h) => ({
    url: ext('contactpoint-availabletime'),
    extension: [
      ...h.days.map((d) => ({ url: 'daysOfWeek', valueCode: d })),
      ...(h.allDay ? [{ url: 'allDay', valueBoolean: true }] : []),
      ...(h.open ? [{ url: 'availableStartTime', valueTime: h.open }] : []),
      ...(h.close ? [{ url: 'availableEndTime', valueTime: h.close }] : []),
    ],
  }));
}

/** FHIR availableTime / hoursOfOperation of opening hours; `start`/`end` name the time fields of the target element. */
export function availableTimes<S extends string, E extends string>(hours: readonly HoursFact[], start: S, end: E): ({ daysOfWeek: HoursFact['days']; allDay?: boolean } & Partial<Record<S | E, string>>)[] {
  return hours.map((h) => ({
    daysOfWeek: [...h.days],
    ...(h.allDay ? { allDay: true } : {}),
    ...(h.open ? { [start]: h.open } : {}),
    ...(h.close ? { [end]: h.close } : {}),
  })) as ({ daysOfWeek: HoursFact['days']; allDay?: boolean } & Partial<Record<S | E, string>>)[];
}

/** A work phone with its hours, rank 1. */
export function directoryPhone(value: string, hours: readonly HoursFact[]): ContactPoint {
  return { extension: availableTimeExtensions(hours), system: 'phone', value, use: 'work', rank: 1 };
}

/** An after-hours line answered by another organization (via-intermediary). */
export function afterHoursPhone(value: string, intermediaryOrgId: string): ContactPoint {
  return {
    extension: [{ url: ext('via-intermediary'), valueReference: ref('Organization', intermediaryOrgId) }],
    system: 'phone',
    value,
    use: 'work',
    rank: 2,
  };
}

/** The geolocation extension of an address: the point of its state (see state-points.ts); none for a state without one. */
export function geolocationExtension(address: Address): Extension[] {
  const point = STATE_POINTS[address.state];
  if (!point) return [];
  return [
    {
      url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
      extension: [
        { url: 'latitude', valueDecimal: point[0] },
        { url: 'longitude', valueDecimal: point[1] },
      ],
    },
  ];
}

/** A state license: the Plan-Net qualification extension (organizations, practitioner roles). */
export function qualificationExtension(options: {
  number: string;
  code: CodeableConcept;
  state: string;
  since: number;
  issuerOrgId?: string;
  ctx: BuildContext;
}): Extension {
  return {
    url: ext('qualification'),
    extension: [
      { url: 'identifier', valueIdentifier: licenseIdentifier(options.state, options.number) },
      { url: 'code', valueCodeableConcept: options.code },
      ...(options.issuerOrgId ? [{ url: 'issuer', valueReference: ref('Organization', options.issuerOrgId) }] : []),
      { url: 'status', valueCode: 'active' },
      { url: 'period', valuePeriod: { start: `${options.since}-01-01` } },
      { url: 'whereValid', valueCodeableConcept: uspsState(options.state) },
    ],
  };
}

/** A state license number (identifier type LN, a fictional system per state under example.org). */
export function licenseIdentifier(state: string, number: string): Identifier {
  return {
    type: { coding: [{ system: SYSTEMS.v2IdentifierType, code: 'LN', display: 'License number' }] },
    system: `https://fhirseed.example.org/license/${state.toLowerCase()}`,
    value: number,
  };
}

export function uspsState(state: string): CodeableConcept {
  return { coding: [{ system: SYSTEMS.uspsState, code: state }] };
}

export function nuccConcept(ctx: BuildContext, code: string): CodeableConcept {
  const display = ctx.codeMaps.taxonomy.find((t) => t.code === code)?.display;
  return { coding: [{ system: SYSTEMS.nucc, code, ...(display ? { display } : {}) }] };
}

/** Ids of the resources Plan-Net adds to the directory. */
export const planNetIds = {
  healthcareService: (orgId: string) => `${orgId}-svc`,
  telehealthService: (orgId: string) => `${orgId}-tele`,
  affiliation: (orgId: string, networkId: string) => `${orgId}-aff-${networkId.slice(networkId.lastIndexOf('-net-') + 5)}`,
  insurancePlan: (networkId: string) => networkId.replace('-net-', '-plan-'),
  payerEndpoint: (payerId: string) => `${payerId}-endpoint`,
};

/** Identifier system of the payer's plan ids: `https://fhirseed.example.org/<payer id, lower case>/plan-id`, as for its member ids. */
export function planIdSystem(ctx: BuildContext): string {
  const payer = ctx.directory.payer;
  const payerId = payer.identifiers.find((i) => i.type === 'payerid')?.value ?? payer.id;
  return `https://fhirseed.example.org/${payerId.toLowerCase()}/plan-id`;
}
