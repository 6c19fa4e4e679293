import type { Profile } from '../profile/types.js';
import { Rng } from '../util/rng.js';
import { directoryKey } from './directory.js';
import type { Directory, PractitionerFact, ProviderKind } from './types.js';

/** Whether a provider takes new patients (Plan-Net AcceptingPatientsCS codes). */
export type AcceptingPatients = 'newpt' | 'existptonly' | 'nopt';

/** Opening hours: days (FHIR days-of-week codes) and either all day or opening and closing times (HH:MM:SS). */
export interface HoursFact {
  days: ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[];
  allDay?: boolean;
  open?: string;
  close?: string;
}

/** A provider network: one per plan of the profile, named after it. */
export interface NetworkFact {
  id: string;
  planId: string;
  name: string;
}

export interface OrgDirectoryFact {
  /** Network ids the organization contracts with. */
  networks: string[];
  accepting: AcceptingPatients;
  hours: HoursFact[];
  /** Id of the hospital a clinic belongs to (its health system), if any. */
  partOf?: string;
  /** The year the organization's state facility license was issued. */
  licensedSince: number;
  licenseNumber: string;
}

export interface PractitionerDirectoryFact {
  networks: string[];
  accepting: AcceptingPatients;
  /** BCP-47 language codes with Plan-Net LanguageProficiencyCS codes (50 native, 40 full professional, 30 professional working). */
  languages: { code: string; proficiency: '50' | '40' | '30' }[];
  /** HL7 v2 table 0360 degree: MD, DO, DDS, PharmD. */
  degree: string;
  licenseNumber: string;
  licensedSince: number;
  hours: HoursFact[];
}

/**
 * The provider directory as a payer publishes it (Plan-Net): networks per plan, who is in which,
 * who takes new patients, languages, licenses and hours. Facts of the story's directory, with the
 * same ids; drawn from their own seeded generator (`<seed>:plan-net`) so that the rest of the
 * directory and every member stay the same bytes whether or not Plan-Net is emitted.
 */
export interface PlanNetDirectory {
  networks: NetworkFact[];
  /** Same order as directory.organizations. */
  organizations: OrgDirectoryFact[];
  /** Same order as directory.practitioners. */
  practitioners: PractitionerDirectoryFact[];
  /** Id of the Location of the payer's service area (the payer's state). */
  serviceAreaId: string;
}

/** Share of a network's providers by plan type: narrow HMO and Medicaid networks, broad PPO ones (a judgment, not a survey). */
const NETWORK_BREADTH: Record<string, number> = { commercial: 0.9, 'medicare-advantage': 0.85, medicaid: 0.7, dental: 1 };

/**
 * Other languages US physicians speak, with the share of practitioners speaking each: Spanish is by far
 * the most common (AAMC/AMA surveys put it near a fifth of physicians); the rest a few percent each.
 */
const OTHER_LANGUAGES: [string, number][] = [['es', 0.2], ['zh', 0.04], ['vi', 0.03], ['pt', 0.03], ['fr', 0.03], ['ru', 0.02]];

const WEEKDAYS: HoursFact['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];

function hoursOf(kind: ProviderKind, rng: Rng): HoursFact[] {
  switch (kind) {
    case 'hospital':
    case 'ambulance':
      return [{ days: [...WEEKDAYS, 'sat', 'sun'], allDay: true }];
    case 'pharmacy':
      return [{ days: [...WEEKDAYS, 'sat'], open: '09:00:00', close: '21:00:00' }, { days: ['sun'], open: '10:00:00', close: '18:00:00' }];
    default:
      return rng.chance(0.4)
        ? [{ days: WEEKDAYS, open: '08:00:00', close: '17:00:00' }, { days: ['sat'], open: '09:00:00', close: '12:00:00' }]
        : [{ days: WEEKDAYS, open: '08:00:00', close: '17:00:00' }];
  }
}

function accepting(rng: Rng): AcceptingPatients {
  const r = rng.next();
  return r < 0.75 ? 'newpt' : r < 0.9 ? 'existptonly' : 'nopt';
}

const DEGREES: Record<PractitionerFact['role'], string> = { 'primary-care': 'MD', specialist: 'MD', dentist: 'DDS', pharmacist: 'PharmD' };

/** The Plan-Net facts of a run's directory; a pure function of (profile, directory). */
export function buildPlanNetDirectory(profile: Profile, directory: Directory): PlanNetDirectory {
  const rng = new Rng(`${profile.seed}:plan-net`);
  const key = directoryKey(profile);
  const networks = profile.plans.map((p) => ({ id: `fs-${key}-net-${p.id}`, planId: p.id, name: `${p.name} Network` }));
  const dentalNets = new Set(networks.filter((n) => profile.plans.find((p) => p.id === n.planId)!.type === 'dental').map((n) => n.id));
  const planType = (n: NetworkFact) => profile.plans.find((p) => p.id === n.planId)!.type;
  const pickNetworks = (dental: boolean): string[] => {
    const eligible = networks.filter((n) => dentalNets.has(n.id) === dental);
    const chosen = eligible.filter((n) => rng.chance(NETWORK_BREADTH[planType(n)] ?? 0.8)).map((n) => n.id);
    return chosen.length || !eligible.length ? chosen : [eligible[0]!.id];
  };
  const startYear = Number(profile.period.start.slice(0, 4));
  const hospitals = directory.organizations.filter((o) => o.kind === 'hospital');
  // The directory's first pharmacy is open around the clock, as chains keep a 24-hour store in most areas (a judgment);
  // its pharmacists' roles are then available all day (hoursOf draws nothing for pharmacies: the rest is unchanged).
  const roundTheClock = directory.organizations.find((o) => o.kind === 'pharmacy')?.id;
  const organizations = directory.organizations.map((o): OrgDirectoryFact => ({
    networks: pickNetworks(o.kind === 'dental-practice'),
    accepting: o.kind === 'hospital' || o.kind === 'pharmacy' || o.kind === 'ambulance' ? 'newpt' : accepting(rng),
    hours: o.id === roundTheClock ? [{ days: [...WEEKDAYS, 'sat', 'sun'], allDay: true }] : hoursOf(o.kind, rng),
    ...(o.kind === 'clinic' && hospitals.length && rng.chance(0.5) ? { partOf: rng.pick(hospitals).id } : {}),
    licensedSince: startYear - rng.int(3, 40),
    licenseNumber: rng.digits(7),
  }));
  const practitioners = directory.practitioners.map((p): PractitionerDirectoryFact => {
    const languages: PractitionerDirectoryFact['languages'] = [{ code: 'en', proficiency: '50' }];
    for (const [code, share] of OTHER_LANGUAGES) if (rng.chance(share)) languages.push({ code, proficiency: rng.chance(0.5) ? '40' : '30' });
    const orgIndex = directory.organizations.findIndex((o) => o.id === p.organizationId);
    return {
      networks: organizations[orgIndex]?.networks ?? pickNetworks(p.role === 'dentist'),
      accepting: p.role === 'pharmacist' ? 'newpt' : accepting(rng),
      languages,
      degree: p.role === 'primary-care' || p.role === 'specialist' ? (rng.chance(0.1) ? 'DO' : DEGREES[p.role]) : DEGREES[p.role],
      licenseNumber: rng.digits(6),
      licensedSince: startYear - rng.int(2, 35),
      hours: organizations[orgIndex]?.hours ?? [{ days: WEEKDAYS, open: '08:00:00', close: '17:00:00' }],
    };
  });
  return { networks, organizations, practitioners, serviceAreaId: `fs-${key}-area` };
}
