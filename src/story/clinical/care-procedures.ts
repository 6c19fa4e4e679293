import { careProcedureKey } from '../../codemaps/clinical-care.js';
import type { Coded } from '../../codemaps/types.js';
import { addDays } from '../../util/dates.js';
import type { ClaimFact, IsoDate } from '../types.js';
import type { ClinicalInput, CodeFact, EncounterFact } from './types.js';

/** Something done to the member, read off a claim: an ICD-10-PCS procedure or a procedure line. */
export interface CareProcedureFact {
  /** 1-based, in encounter order: the resource id is fs-<key>-proc<ordinal>. */
  ordinal: number;
  encounterOrdinal: number;
  /** The billed codes (ICD-10-PCS, CPT, HCPCS), the first being the one the procedure was made from. */
  codes: CodeFact[];
  snomed?: Coded;
  date: IsoDate;
  /** Operations carry their start and end time (ISO dateTime, UTC); other procedures the date alone. */
  period?: { start: string; end: string };
  performerId?: string;
  organizationId: string;
  /** Positions (1-based k) of the encounter diagnoses the procedure was for. */
  reasonDiagnoses: number[];
  /** Set when it placed an implant (ordinal of the DeviceFact). */
  deviceOrdinal?: number;
  /** ICD-10-PCS code, for implants. */
  pcs?: string;
}

/**
 * Procedures of the member's visits. An operation billed twice (the hospital's ICD-10-PCS code and
 * the surgeon's CPT line) is one procedure with both codes: the record holds one knee replacement.
 */
export function simulateProcedures(input: ClinicalInput): CareProcedureFact[] {
  const { codeMaps, rng } = input;
  const table = codeMaps.clinical.care.procedures;
  const drafts: Omit<CareProcedureFact, 'ordinal'>[] = [];
  for (const encounter of input.encounters) {
    const claim = visitClaim(input, encounter);
    if (!claim) continue;
    const kOf = (sequences: number[]) => diagnosisPositions(claim, encounter, sequences);
    for (const p of claim.procedures) {
      if (p.date > input.now) continue; // later in a stay that goes on past now
      const row = table.get(careProcedureKey('icd10pcs', p.pcs));
      // Surgery starts between 07:00 and 13:00 and lasts one to two and a half hours.
      const startMinute = rng.int(7 * 60, 13 * 60);
      const minutes = rng.int(60, 150);
      drafts.push({
        encounterOrdinal: encounter.ordinal,
        codes: [{ system: 'icd10pcs', code: p.pcs, display: p.display }],
        ...(row?.snomed ? { snomed: row.snomed } : {}),
        date: p.date,
        period: { start: dateTime(p.date, startMinute), end: dateTime(p.date, startMinute + minutes) },
        performerId: claim.operatingPractitionerId ?? encounter.practitionerId,
        organizationId: encounter.organizationId,
        reasonDiagnoses: kOf([claim.diagnoses.find((d) => d.role === 'principal')?.sequence ?? 1]),
        pcs: p.pcs,
      });
    }
    for (const line of claim.lines) {
      if (line.code.system === 'not-applicable' || line.code.system === 'ndc' || line.code.system === 'cdt' || line.serviceDate > input.now) continue;
      const row = table.get(careProcedureKey(line.code.system, line.code.code));
      if (!row) continue;
      const code: CodeFact = { system: line.code.system, code: line.code.code, display: line.code.display };
      const same = row.snomed && drafts.find((d) => d.snomed?.code === row.snomed!.code && d.pcs && Math.abs(dayDiff(d.date, line.serviceDate)) <= 1);
      if (same) {
        same.codes.push(code);
        continue;
      }
      drafts.push({
        encounterOrdinal: encounter.ordinal,
        codes: [code],
        ...(row.snomed ? { snomed: row.snomed } : {}),
        date: line.serviceDate,
        performerId: claim.renderingPractitionerId ?? encounter.practitionerId,
        organizationId: encounter.organizationId,
        reasonDiagnoses: kOf(line.diagnosisSequences),
      });
    }
  }
  return drafts.map((d, i) => ({ ordinal: i + 1, ...d }));
}

/** The claim that stands for a visit: the correction when there is one (the last of its claims). */
export function visitClaim(input: Pick<ClinicalInput, 'story'>, encounter: EncounterFact): ClaimFact | undefined {
  const ordinal = encounter.claimOrdinals[encounter.claimOrdinals.length - 1];
  return input.story.claims.find((c) => c.ordinal === ordinal);
}

/** Claim diagnosis sequences → positions in the visit's diagnoses (admitting and reason-for-visit codes are not visit diagnoses). */
function diagnosisPositions(claim: ClaimFact, encounter: EncounterFact, sequences: number[]): number[] {
  const positions = sequences
    .map((s) => claim.diagnoses.find((d) => d.sequence === s))
    .map((d) => (d ? encounter.diagnoses.findIndex((e) => e.icd10cm === d.icd10cm) + 1 : 0))
    .filter((k) => k > 0);
  return [...new Set(positions)];
}

function dateTime(date: IsoDate, minuteOfDay: number): string {
  const day = addDays(date, Math.floor(minuteOfDay / 1440));
  const m = minuteOfDay % 1440;
  return `${day}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00Z`;
}

function dayDiff(a: IsoDate, b: IsoDate): number {
  return (Date.parse(a) - Date.parse(b)) / 86_400_000;
}
