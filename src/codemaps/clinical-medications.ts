import { SYSTEMS } from '../util/systems.js';
import { AGE, AGE_MONTHS, SHARE, type Fields } from './fields.js';
import type { CodeMapReader } from './load.js';
import type { ClaimsCodeMaps, Coded, DrugRow, SourcedRow } from './types.js';

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
  /** Active ingredients (a word of catalog/drugs.json `ingredient`) a member with this allergy is never prescribed. */
  conflictsWithIngredients: string[];
  /** The drug keys with one of those ingredients (computed at load). */
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
const CODED_REASON_FIELDS: Fields = { system: 'text', code: 'text', display: 'text' };
const IMMS = 'immunizations.json';
const ALLERGIES = 'allergies.json';

const TIMES = ['', 'once', 'twice', 'three times', 'four times'];
const PERIOD_DAYS = { h: 1 / 24, d: 1, wk: 7 } as const;

/** Units a sig takes per day. */
export function sigUnitsPerDay(s: Pick<MedicationSigRow, 'dose' | 'frequency' | 'period' | 'periodUnit'>): number {
  return (s.dose * s.frequency) / (s.period * PERIOD_DAYS[s.periodUnit]);
}

/**
 * The sig of a drug without a hand-written one, from its typical fill: units per day = quantity / days
 * supply, so dose × frequency × days supply = quantity. Tablets and capsules: 1 unit 1–4 times a day,
 * every n days, or "N over D days as directed" (packs such as azithromycin 6 over 5 days); pens (ML):
 * the daily volume, or the weekly one when it is under 0.2 mL a day (weekly GLP-1 pens).
 */
export function deriveSig(drug: DrugRow): MedicationSigRow {
  const perDay = drug.quantity / drug.daysSupply;
  const source = `derived from the fill in code-maps/catalog/drugs.json: ${drug.quantity} ${drug.quantityUnit} for ${drug.daysSupply} days`;
  if (drug.quantityUnit === 'ML') {
    const weekly = perDay < 0.2;
    const dose = Math.round((weekly ? perDay * 7 : perDay) * 100) / 100;
    return {
      drugKey: drug.key, text: `Inject ${dose} mL under the skin once ${weekly ? 'weekly' : 'daily'}`, dose, doseUnit: 'mL', doseUnitDisplay: 'mL',
      frequency: 1, period: 1, periodUnit: weekly ? 'wk' : 'd', source,
    };
  }
  const capsule = /capsule/i.test(drug.rxnorm.display);
  const [doseUnit, unit] = capsule ? ['{cap}', 'capsule'] : ['{tbl}', 'tablet'];
  const base = { drugKey: drug.key, dose: 1, doseUnit, doseUnitDisplay: unit, source };
  if (Number.isInteger(perDay) && perDay >= 1 && perDay <= 4) {
    return { ...base, text: `Take 1 ${unit} by mouth ${TIMES[perDay]} daily`, frequency: perDay, period: 1, periodUnit: 'd' };
  }
  const every = 1 / perDay;
  if (Number.isInteger(every) && every <= 7) {
    return { ...base, text: `Take 1 ${unit} by mouth every ${every} days`, frequency: 1, period: every, periodUnit: 'd' };
  }
  return { ...base, text: `Take ${drug.quantity} ${unit}s by mouth over ${drug.daysSupply} days as directed`, frequency: drug.quantity, period: drug.daysSupply, periodUnit: 'd' };
}

export function loadMedicationCodeMaps(reader: CodeMapReader, claims: ClaimsCodeMaps): MedicationCodeMaps {
  const { fail, failAt } = reader;
  // Hand-written sigs (with the label's particulars) win; every other drug's sig is derived from its fill.
  // Dosage.timing.repeat: frequency a positiveInt, period a decimal above 0; the dose a quantity above 0.
  const written = reader.index<MedicationSigRow>(SIGS, (r) => r.drugKey, {
    drugKey: 'text', text: 'text', dose: 'number >0', doseUnit: 'text', doseUnitDisplay: 'text', frequency: 'whole 1..', period: 'number >0', periodUnit: 'text',
  });
  const sigs = new Map<string, MedicationSigRow>();
  for (const [key, s] of written) {
    const drug = claims.drugs.get(key) ?? fail(SIGS, key, 'is not a drug of code-maps/catalog/drugs.json', 'drugKey');
    if (!Object.hasOwn(PERIOD_DAYS, s.periodUnit)) fail(SIGS, key, `periodUnit '${s.periodUnit}' is not h, d or wk`, 'periodUnit');
    if (Math.abs(sigUnitsPerDay(s) * drug.daysSupply - drug.quantity) > 0.01 * drug.quantity) {
      fail(SIGS, key, `dose × frequency × days supply is not the fill's quantity (${drug.quantity})`, 'dose');
    }
  }
  for (const [key, drug] of claims.drugs) sigs.set(key, written.get(key) ?? deriveSig(drug));

  const codes = reader.read<{ codes: Omit<Record<keyof MedicationCodes, Omit<CodedReasonRow, 'key'>>, never> }>(SIGS).codes;
  for (const name of ['requestCategory', 'firstFill', 'refill'] as const) {
    const c = reader.object<Partial<CodedReasonRow> | undefined>(SIGS, codes?.[name], `codes.${name}`, CODED_REASON_FIELDS);
    if (!c?.source || !Object.hasOwn(SYSTEMS, c.system!)) fail(SIGS, name, 'needs a code with a known system and a source', c?.source ? 'system' : 'source', c);
  }
  const fixed: MedicationCodes = {
    requestCategory: { key: 'requestCategory', ...codes.requestCategory },
    firstFill: { key: 'firstFill', ...codes.firstFill },
    refill: { key: 'refill', ...codes.refill },
  };

  const vaccines = reader.index<VaccineRow>(IMMS, (r) => r.key, { key: 'text', cvx: 'coded', ndc: 'coded?' });
  const imms = reader.read<{ schedule: VaccineDoseRow[]; seasonal: SeasonalVaccineRule; notDoneReasons: CodedReasonRow[] }>(IMMS);
  // CVX codes come from the curated list of current codes (code-maps/catalog/cvx.json).
  const cvxRows = reader.rows<{ code: string } & SourcedRow>('catalog/cvx.json', { code: 'text' });
  reader.unique('catalog/cvx.json', cvxRows, (r) => r.code, 'row', 'code');
  const cvx = new Set(cvxRows.map((r) => r.code));
  for (const [key, v] of vaccines) {
    if (!/^\d{1,3}$/.test(v.cvx.code)) fail(IMMS, key, `'${v.cvx.code}' is not a CVX code`, 'cvx.code');
    if (!cvx.has(v.cvx.code)) fail(IMMS, key, `CVX ${v.cvx.code} is not in catalog/cvx.json`, 'cvx.code');
  }
  const schedule = reader.list<VaccineDoseRow>(IMMS, imms.schedule ?? [], 'schedule', {
    vaccine: 'text', dose: 'whole 1..', ageMinMonths: AGE_MONTHS, ageMaxMonths: AGE_MONTHS, share: SHARE,
  });
  reader.unique(IMMS, schedule, (d) => `${d.vaccine} dose ${d.dose}`, 'schedule row', 'dose');
  for (const d of schedule) {
    const key = `${d.vaccine} dose ${d.dose}`;
    if (!d.source) fail(IMMS, key, 'has no source', 'source', d);
    if (!vaccines.has(d.vaccine)) fail(IMMS, key, 'names a vaccine the rows do not have', 'vaccine', d);
  }
  // The season opens on the first of its start month and closes at the end of its end month of the next year (so not
  // December, which would close it in month 13).
  const seasonal = reader.object<SeasonalVaccineRule>(IMMS, imms.seasonal, 'seasonal', {
    vaccine: 'text', highDoseVaccine: 'text', highDoseAgeYears: AGE, ageMinMonths: AGE_MONTHS, seasonStartMonth: 'whole 1..12', seasonEndMonth: 'whole 1..11',
  });
  const seasonalMiss = !seasonal.source ? 'source' : ['vaccine', 'highDoseVaccine'].find((f) => !vaccines.has(seasonal[f as 'vaccine']));
  if (seasonalMiss) fail(IMMS, 'seasonal', 'needs a source and vaccines the rows have', seasonalMiss, seasonal);
  const notDoneReasons = reader.list<CodedReasonRow>(IMMS, imms.notDoneReasons ?? [], 'notDoneReasons', { key: 'text', ...CODED_REASON_FIELDS });
  reader.unique(IMMS, notDoneReasons, (r) => r.key, 'notDoneReasons row');
  for (const r of notDoneReasons) if (!r.source || !Object.hasOwn(SYSTEMS, r.system)) fail(IMMS, r.key, 'needs a source and a known system', r.source ? 'system' : 'source', r);
  if (!notDoneReasons.length) failAt(IMMS, 'notDoneReasons', 'needs at least one reason', ['notDoneReasons']);

  const allergyRows = reader.rows<AllergyRow>(ALLERGIES, {
    key: 'text', system: 'text', code: 'text', display: 'text', category: 'one of food medication environment biologic?', type: 'one of allergy intolerance?', criticality: 'one of low high unable-to-assess?', noKnownAllergy: 'boolean?',
    conflictsWithIngredients: 'texts?', reactions: 'texts', share: SHARE,
  });
  const allergies = allergyRows.map((a) => {
    const words = (a.conflictsWithIngredients ?? []).map((w) => new RegExp(`\\b${w}\\b`, 'i'));
    const conflictsWithDrugs = [...claims.drugs.values()].filter((d) => words.some((w) => w.test(d.ingredient))).map((d) => d.key);
    if (words.length && !conflictsWithDrugs.length) fail(ALLERGIES, a.key, 'no drug of catalog/drugs.json has the ingredients it names', 'conflictsWithIngredients', a);
    return { ...a, conflictsWithDrugs };
  });
  const manifestationList = reader.list<ManifestationRow>(ALLERGIES, reader.read<{ manifestations?: unknown }>(ALLERGIES).manifestations ?? [], 'manifestations', {
    key: 'text', code: 'text', display: 'text', severity: 'one of mild moderate severe',
  });
  reader.unique(ALLERGIES, manifestationList, (m) => m.key, 'manifestations row');
  const manifestations = new Map(manifestationList.map((m) => [m.key, m]));
  for (const m of manifestationList) if (!m.source) fail(ALLERGIES, m.key, 'has no source', 'source', m);
  reader.unique(ALLERGIES, allergyRows, (a) => a.key, 'row', 'key');
  allergies.forEach((a, i) => {
    // allergies holds copies (with conflictsWithDrugs); the rows as read carry the places.
    const fail = (problem: string, field: string | (string | number)[]): never => reader.fail(ALLERGIES, a.key, problem, field, allergyRows[i]);
    if (!Object.hasOwn(SYSTEMS, a.system)) fail(`unknown system '${a.system}'`, 'system');
    a.reactions.forEach((r, j) => manifestations.has(r) || fail(`names reaction '${r}', which the manifestations do not have`, ['reactions', j]));
    // A missing field is at the row's `{`, an empty reactions list at its `[`.
    const lacking = (['category', 'criticality', 'reactions'] as const).find((f) => (f === 'reactions' ? !a.reactions.length : !a[f]));
    if (!a.noKnownAllergy && lacking) fail('needs category, criticality and reactions', lacking);
  });
  if (!allergies.some((a) => a.noKnownAllergy)) failAt(ALLERGIES, 'no-known-allergy', 'a "no known allergy" row is required', ['rows']);

  return { codes: fixed, sigs, vaccines, schedule, seasonal, notDoneReasons, allergies, manifestations };
}
