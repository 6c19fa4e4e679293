import { SYSTEMS } from '../fhir/systems.js';
import type { CodeMapReader } from './load.js';
import type { ClaimsCodeMaps, Coded, SourcedRow } from './types.js';

/** How a drug is taken (code-maps/medication-sigs.json): dose × frequency per period. */
export interface MedicationSigRow extends SourcedRow {
  drugKey: string;
  text: string;
  dose: number;
  /** UCUM annotation unit, e.g. {tbl}. */
  doseUnit: string;
  doseUnitDisplay: string;
  frequency: number;
  period: number;
  periodUnit: 'h' | 'd' | 'wk';
}

export interface VaccineRow extends SourcedRow {
  key: string;
  cvx: Coded;
  ndc?: Coded;
}

/** One dose of the age schedule: given inside [ageMinMonths, ageMaxMonths] with probability share. */
export interface VaccineDoseRow extends SourcedRow {
  vaccine: string;
  dose: number;
  ageMinMonths: number;
  ageMaxMonths: number;
  share: number;
}

export interface SeasonalVaccineRule extends SourcedRow {
  vaccine: string;
  highDoseVaccine: string;
  highDoseAgeYears: number;
  ageMinMonths: number;
  /** Months (1-12) the season's vaccination window opens and closes (wrapping the year end). */
  seasonStartMonth: number;
  seasonEndMonth: number;
}

export interface CodedReasonRow extends Coded, SourcedRow {
  key: string;
  /** Key into SYSTEMS. */
  system: string;
}

export interface AllergyRow extends SourcedRow {
  key: string;
  /** Key into SYSTEMS: rxnorm or snomed. */
  system: 'rxnorm' | 'snomed';
  code: string;
  display: string;
  category?: 'food' | 'medication' | 'environment' | 'biologic';
  type?: 'allergy' | 'intolerance';
  criticality?: 'low' | 'high' | 'unable-to-assess';
  /** A refutation ("no known allergy"): no reaction, category or criticality. */
  noKnownAllergy?: boolean;
  /** Drug keys (drugs.json) a member with this allergy is never prescribed. */
  conflictsWithDrugs: string[];
  reactions: string[];
  /** Share of members who have it. */
  share: number;
}

export interface ManifestationRow extends Coded, SourcedRow {
  key: string;
  severity: 'mild' | 'moderate' | 'severe';
}

/** Fixed codes of the medication resources (code-maps/medication-sigs.json "codes"). */
export interface MedicationCodes {
  requestCategory: CodedReasonRow;
  firstFill: CodedReasonRow;
  refill: CodedReasonRow;
}

export interface MedicationCodeMaps {
  codes: MedicationCodes;
  sigs: ReadonlyMap<string, MedicationSigRow>;
  vaccines: ReadonlyMap<string, VaccineRow>;
  schedule: readonly VaccineDoseRow[];
  seasonal: SeasonalVaccineRule;
  notDoneReasons: readonly CodedReasonRow[];
  allergies: readonly AllergyRow[];
  manifestations: ReadonlyMap<string, ManifestationRow>;
}

const SIGS = 'medication-sigs.json';
const IMMS = 'immunizations.json';
const ALLERGIES = 'allergies.json';

export function loadMedicationCodeMaps(reader: CodeMapReader, claims: ClaimsCodeMaps): MedicationCodeMaps {
  const { fail } = reader;
  const sigs = reader.index<MedicationSigRow>(SIGS, (r) => r.drugKey);
  for (const key of claims.drugs.keys()) if (!sigs.has(key)) fail(SIGS, key, 'drugs.json has this drug but no sig is given for it');
  for (const [key, s] of sigs) {
    if (!claims.drugs.has(key)) fail(SIGS, key, 'is not a drug of drugs.json');
    if (!(s.dose > 0 && s.frequency > 0 && s.period > 0)) fail(SIGS, key, 'dose, frequency and period must be positive');
  }

  const codes = reader.read<{ codes: Omit<Record<keyof MedicationCodes, Omit<CodedReasonRow, 'key'>>, never> }>(SIGS).codes;
  for (const name of ['requestCategory', 'firstFill', 'refill'] as const) {
    const c = codes?.[name];
    if (!c?.source || !(c.system in SYSTEMS)) fail(SIGS, name, 'needs a code with a known system and a source');
  }
  const fixed: MedicationCodes = {
    requestCategory: { key: 'requestCategory', ...codes.requestCategory },
    firstFill: { key: 'firstFill', ...codes.firstFill },
    refill: { key: 'refill', ...codes.refill },
  };

  const vaccines = reader.index<VaccineRow>(IMMS, (r) => r.key);
  const imms = reader.read<{ schedule: VaccineDoseRow[]; seasonal: SeasonalVaccineRule; notDoneReasons: CodedReasonRow[] }>(IMMS);
  for (const [key, v] of vaccines) if (!/^\d{1,3}$/.test(v.cvx.code)) fail(IMMS, key, `'${v.cvx.code}' is not a CVX code`);
  const schedule = imms.schedule ?? [];
  for (const d of schedule) {
    const key = `${d.vaccine} dose ${d.dose}`;
    if (!d.source) fail(IMMS, key, 'has no source');
    if (!vaccines.has(d.vaccine)) fail(IMMS, key, 'names a vaccine the rows do not have');
    if (d.ageMinMonths > d.ageMaxMonths) fail(IMMS, key, 'age window is empty');
  }
  const seasonal = imms.seasonal;
  if (!seasonal?.source || !vaccines.has(seasonal.vaccine) || !vaccines.has(seasonal.highDoseVaccine)) fail(IMMS, 'seasonal', 'needs a source and vaccines the rows have');
  const notDoneReasons = imms.notDoneReasons ?? [];
  for (const r of notDoneReasons) if (!r.source || !(r.system in SYSTEMS)) fail(IMMS, r.key, 'needs a source and a known system');
  if (!notDoneReasons.length) fail(IMMS, 'notDoneReasons', 'needs at least one reason');

  const allergies = reader.rows<AllergyRow>(ALLERGIES);
  const manifestationList = reader.read<{ manifestations: ManifestationRow[] }>(ALLERGIES).manifestations ?? [];
  const manifestations = new Map(manifestationList.map((m) => [m.key, m]));
  for (const m of manifestationList) if (!m.source) fail(ALLERGIES, m.key, 'has no source');
  for (const a of allergies) {
    if (!(a.system in SYSTEMS)) fail(ALLERGIES, a.key, `unknown system '${a.system}'`);
    for (const d of a.conflictsWithDrugs) if (!claims.drugs.has(d)) fail(ALLERGIES, a.key, `names drug '${d}', which drugs.json does not have`);
    for (const r of a.reactions) if (!manifestations.has(r)) fail(ALLERGIES, a.key, `names reaction '${r}', which the manifestations do not have`);
    if (!a.noKnownAllergy && !(a.category && a.criticality && a.reactions.length)) fail(ALLERGIES, a.key, 'needs category, criticality and reactions');
  }
  if (!allergies.some((a) => a.noKnownAllergy)) fail(ALLERGIES, 'no-known-allergy', 'a "no known allergy" row is required');

  return { codes: fixed, sigs, vaccines, schedule, seasonal, notDoneReasons, allergies, manifestations };
}
