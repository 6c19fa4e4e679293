import { addDays, daysBetween, ymd } from '../../util/dates.js';
import type { IsoDate } from '../types.js';
import type { ClinicalInput, EncounterFact } from './types.js';

export interface ImmunizationFact {
  /** 1-based, in date order: the resource id suffix. */
  ordinal: number;
  /** Key into immunizations.json rows. */
  vaccineKey: string;
  date: IsoDate;
  /** Dose number in the series (1 for seasonal influenza). */
  doseNumber: number;
  /** The office or preventive visit it was given at; absent when given at a pharmacy. */
  encounterOrdinal?: number;
  practitionerId?: string;
  /** Where it was given: the visit's organization or the pharmacy. */
  organizationId: string;
  /** Recorded by whoever gave it (true) or reported from elsewhere (false). */
  primarySource: boolean;
  /** Absent for a dose reported from elsewhere: the pharmacy's claim does not carry the lot. */
  lotNumber?: string;
  /** Key into notDoneReasons when the vaccination was not done. */
  notDoneReason?: string;
}

/** Age in whole months on a date. */
export function ageInMonths(birthDate: IsoDate, on: IsoDate): number {
  const b = ymd(birthDate);
  const o = ymd(on);
  // Read as YYYYMMDD numbers (no arrays: called for every visit and dose, issue 13).
  if (b >= 0 && o >= 0) {
    const months = (Math.floor(o / 10_000) - Math.floor(b / 10_000)) * 12 + (Math.floor(o / 100) % 100) - (Math.floor(b / 100) % 100);
    return months - (o % 100 < b % 100 ? 1 : 0);
  }
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return (y - by) * 12 + (m - bm) - (d < bd ? 1 : 0);
}

/**
 * Vaccinations by the CDC schedule, at the member's office and preventive visits: each dose whose
 * age window holds the member's age at a visit (with its share), and influenza once a season,
 * at a pharmacy in October when no visit falls in the season's window.
 */
export function simulateImmunizations(input: ClinicalInput): ImmunizationFact[] {
  const { rng, story, codeMaps, encounters, profile, lastDay } = input;
  const maps = codeMaps.clinical.medications;
  const birth = story.member.birthDate;
  const visits = encounters.filter((e) => (e.kind === 'office' || e.kind === 'preventive') && e.start <= lastDay);
  const facts: Omit<ImmunizationFact, 'ordinal'>[] = [];
  const lot = () => `${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}${rng.digits(5)}`;
  const atVisit = (v: EncounterFact, vaccineKey: string, doseNumber: number): Omit<ImmunizationFact, 'ordinal'> => ({
    vaccineKey, date: v.start, doseNumber, encounterOrdinal: v.ordinal,
    ...(v.practitionerId ? { practitionerId: v.practitionerId } : {}),
    organizationId: v.organizationId, primarySource: true, lotNumber: lot(),
  });

  // The age schedule: each dose at most once, no two doses of a vaccine within 28 days.
  const given = new Map<string, IsoDate>();
  for (const dose of maps.schedule) {
    const visit = visits.find((v) => {
      const months = ageInMonths(birth, v.start);
      const prior = given.get(dose.vaccine);
      return months >= dose.ageMinMonths && months <= dose.ageMaxMonths && (!prior || daysBetween(prior, v.start) >= 28);
    });
    if (!visit || !rng.chance(dose.share)) continue;
    if (dose.dose > 1 && dose.ageMinMonths >= 228 && !given.has(dose.vaccine)) continue; // adult second doses follow a first
    given.set(dose.vaccine, visit.start);
    facts.push(atVisit(visit, dose.vaccine, dose.dose));
  }

  // Influenza, once per season overlapping the period.
  const rule = maps.seasonal;
  const pharmacyId = story.claims.find((c) => c.type === 'pharmacy')?.billingProviderId
    ?? input.directory.organizations.find((o) => o.kind === 'pharmacy')?.id;
  const firstYear = Number(profile.period.start.slice(0, 4)) - 1;
  const lastYear = Number(lastDay.slice(0, 4));
  for (let year = firstYear; year <= lastYear; year++) {
    const opens = `${year}-${pad(rule.seasonStartMonth)}-01`;
    const closes = addDays(`${year + 1}-${pad(rule.seasonEndMonth + 1)}-01`, -1);
    const inSeason = (d: IsoDate) => d >= opens && d <= closes && d >= profile.period.start && d <= lastDay;
    const vaccineFor = (d: IsoDate) => (ageInMonths(birth, d) >= rule.highDoseAgeYears * 12 ? rule.highDoseVaccine : rule.vaccine);
    const visit = visits.find((v) => inSeason(v.start) && ageInMonths(birth, v.start) >= rule.ageMinMonths);
    if (visit) {
      facts.push(atVisit(visit, vaccineFor(visit.start), 1));
      continue;
    }
    const october = `${year}-10-01`;
    const date = addDays(october, rng.int(0, 30));
    if (pharmacyId && inSeason(date) && ageInMonths(birth, date) >= rule.ageMinMonths) {
      facts.push({ vaccineKey: vaccineFor(date), date, doseNumber: 1, organizationId: pharmacyId, primarySource: false });
    }
  }

  facts.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // A deterministic few members declined (or could not get) their first vaccination.
  const notDone = story.index % 6 === 5 ? maps.notDoneReasons[(story.index / 6) % maps.notDoneReasons.length | 0] : undefined;
  return facts.map((f, i) => ({ ordinal: i + 1, ...f, ...(i === 0 && notDone ? { notDoneReason: notDone.key } : {}) }));
}

function pad(month: number): string {
  return String(((month - 1) % 12) + 1).padStart(2, '0');
}
