import { addDays, daysBetween } from '../../util/dates.js';
import type { IsoDate } from '../types.js';
import type { PrescriptionFact } from './medications.js';
import type { ClinicalInput } from './types.js';

export interface AllergyFact {
  /** 1-based: the resource id suffix. */
  ordinal: number;
  /** Key into allergies.json rows. */
  key: string;
  /** Absent for a "no known allergy" statement. */
  onset?: IsoDate;
  recordedDate: IsoDate;
  /** Who recorded it: the practitioner of the visit it was recorded at. */
  recorderId?: string;
  verification: 'confirmed' | 'unconfirmed';
  /** Keys into allergies.json manifestations. */
  reactions: string[];
}

/**
 * Allergies by their share, never one the member's own prescriptions contradict (a member filling
 * amoxicillin is not allergic to penicillin); members with none may have "no known allergy" on record.
 */
export function simulateAllergies(input: ClinicalInput, prescriptions: readonly PrescriptionFact[]): AllergyFact[] {
  const { rng, story, codeMaps, encounters, profile, lastDay } = input;
  const rows = codeMaps.clinical.medications.allergies;
  const drugs = new Set(prescriptions.map((p) => p.drugKey));
  const allowed = rows.filter((r) => !r.noKnownAllergy && !r.conflictsWithDrugs.some((d) => drugs.has(d)));
  const firstVisit = encounters.find((e) => e.start <= lastDay);
  const recordedDate = firstVisit?.start ?? profile.period.start;
  const birth = story.member.birthDate;
  const chosen = allowed.filter((r) => rng.chance(r.share));
  // Deterministic shapes for a small population: member 0 has the first allowed allergy, member 1 none on record.
  if (story.index === 0 && !chosen.length && allowed.length) chosen.push(allowed[0]!);
  const facts: AllergyFact[] = chosen.map((row, i) => {
    const span = Math.max(0, daysBetween(birth, recordedDate));
    const onset = addDays(birth, rng.int(Math.min(span, 365), span));
    return {
      ordinal: i + 1,
      key: row.key,
      onset,
      recordedDate,
      ...(firstVisit?.practitionerId ? { recorderId: firstVisit.practitionerId } : {}),
      verification: (story.index + i) % 7 === 3 ? 'unconfirmed' : 'confirmed',
      reactions: row.reactions.length > 1 && rng.chance(0.5) ? [...row.reactions] : row.reactions.slice(0, 1),
    };
  });
  const nka = rows.find((r) => r.noKnownAllergy);
  if (!facts.length && nka && (story.index % 3 === 1 || rng.chance(nka.share))) {
    facts.push({
      ordinal: 1, key: nka.key, recordedDate, verification: 'confirmed', reactions: [],
      ...(firstVisit?.practitionerId ? { recorderId: firstVisit.practitionerId } : {}),
    });
  }
  return facts;
}
