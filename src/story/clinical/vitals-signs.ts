import type { VitalRange, VitalRow } from '../../codemaps/clinical-labs-vitals.js';
import { ageOn } from '../../util/dates.js';
import type { IsoDate } from '../types.js';
import { drawIn } from './labs-results.js';
import type { ClinicalInput } from './types.js';

export type VitalKey =
  | 'systolic' | 'diastolic' | 'heart-rate' | 'respiratory-rate' | 'body-temperature' | 'body-height' | 'body-weight' | 'bmi'
  | 'pulse-oximetry' | 'head-circumference' | 'bmi-for-age-percentile' | 'weight-for-length-percentile' | 'head-circumference-percentile';

/** The vital signs of one visit; a key present with `undefined` was attempted but not obtained. */
export interface VitalsFact {
  encounterOrdinal: number;
  date: IsoDate;
  practitionerId?: string;
  age: number;
  measures: Partial<Record<VitalKey, number | undefined>>;
  /** Supplemental oxygen during an admission; concentration undefined when not recorded. */
  oxygen?: { flowRate?: number; concentration?: number };
}

const VISIT_KINDS = new Set(['office', 'preventive', 'inpatient']);
/** Measured at every visit whatever the age (pediatricKeys adds the growth measures). */
const EVERY_VISIT: readonly VitalKey[] = ['body-height', 'bmi', 'systolic', 'diastolic', 'heart-rate', 'respiratory-rate', 'body-temperature', 'pulse-oximetry'];
const ADULT_GAPS: readonly VitalKey[] = ['heart-rate', 'respiratory-rate', 'body-temperature', 'body-height', 'body-weight', 'pulse-oximetry', 'systolic', 'diastolic'];

/** Which pediatric measures a child of this age gets (US Core: BMI-for-age 2-20 y, the rest under 3 y). */
export function pediatricKeys(age: number): VitalKey[] {
  const keys: VitalKey[] = [];
  if (age < 3) keys.push('head-circumference', 'weight-for-length-percentile', 'head-circumference-percentile');
  if (age >= 2 && age <= 20) keys.push('bmi-for-age-percentile');
  return keys;
}

/**
 * Vitals at every office, preventive and inpatient visit. Height and BMI keep the member's own
 * place within the age band across visits, and weight is BMI x height squared, so one visit's
 * numbers agree with each other. One measure of the first visit is missing (dataAbsentReason),
 * which one by member index, so that every measure shows a gap somewhere in a population; a child
 * seen more than once misses the pediatric growth measures at the first visit instead.
 */
export function simulateVitals(input: ClinicalInput): VitalsFact[] {
  const { rng, story } = input;
  const rows = input.codeMaps.clinical.labsVitals.vitals;
  const { sex, birthDate } = story.member;
  const visits = input.encounters.filter((e) => VISIT_KINDS.has(e.kind));
  const heightPlace = rng.next();
  const bmiPlace = rng.next();
  const firstAge = visits[0] ? ageOn(birthDate, visits[0].start) : 99;
  // A child seen more than once misses the growth measures at the first visit (and has them later).
  const pediatricGaps = visits.length > 1 ? pediatricKeys(firstAge) : [];
  const gaps: VitalKey[] = pediatricGaps.length ? pediatricGaps : [ADULT_GAPS[story.index % ADULT_GAPS.length]!];

  return visits.map((visit, v) => {
    const age = ageOn(birthDate, visit.start);
    const active = (key: string) => story.conditions.some((c) => c.key === key && c.onset <= visit.start);
    const band = (key: VitalKey) => rangeFor(rows.get(key), age, sex, active);
    const decimals = (key: VitalKey) => rows.get(key)?.decimals ?? 0;
    const draw = (key: VitalKey) => drawIn(rng, band(key), decimals(key));
    const place = (key: VitalKey, p: number) => {
      const b = band(key);
      const f = 10 ** decimals(key);
      return Math.round((b.low + p * (b.high - b.low)) * f) / f;
    };

    const heightCm = place('body-height', heightPlace);
    const targetBmi = place('bmi', bmiPlace);
    const weightKg = Math.round(targetBmi * (heightCm / 100) ** 2 * 10) / 10;
    const measures: VitalsFact['measures'] = {
      'body-height': heightCm,
      'body-weight': weightKg,
      bmi: bmiOf(weightKg, heightCm),
      systolic: draw('systolic'),
      diastolic: draw('diastolic'),
      'heart-rate': draw('heart-rate'),
      'respiratory-rate': draw('respiratory-rate'),
      'body-temperature': draw('body-temperature'),
      'pulse-oximetry': draw('pulse-oximetry'),
    };
    for (const key of pediatricKeys(age)) measures[key] = draw(key);
    for (const gap of v === 0 ? gaps : []) {
      if (!(gap in measures)) continue;
      measures[gap] = undefined;
      if (gap === 'body-height' || gap === 'body-weight') measures.bmi = undefined;
      // A systolic reading not taken means no blood pressure at all; a diastolic one can be missed alone.
      if (gap === 'systolic') measures.diastolic = undefined;
    }
    const oxygen = visit.kind === 'inpatient' ? supplementalOxygen(input, story.index) : undefined;
    return {
      encounterOrdinal: visit.ordinal,
      date: visit.start,
      ...(visit.practitionerId ? { practitionerId: visit.practitionerId } : {}),
      age,
      measures,
      ...(oxygen ? { oxygen } : {}),
    };
  });
}

export function bmiOf(weightKg: number, heightCm: number): number {
  return Math.round((weightKg / (heightCm / 100) ** 2) * 10) / 10;
}

function supplementalOxygen(input: ClinicalInput, index: number): { flowRate?: number; concentration?: number } {
  const rows = input.codeMaps.clinical.labsVitals.vitals;
  const flow = rows.get('inhaled-oxygen-flow-rate')?.ranges?.[0] ?? { low: 2, high: 2 };
  const conc = rows.get('inhaled-oxygen-concentration')?.ranges?.[0] ?? { low: 28, high: 28 };
  const flowRate = drawIn(input.rng, flow, 0);
  const concentration = drawIn(input.rng, conc, 0);
  // Odd-indexed members' charts did not record the FiO2, and every other one of those not the flow either (dataAbsentReason).
  if (index % 4 === 1) return {};
  return index % 2 === 1 ? { flowRate } : { flowRate, concentration };
}

/** Whether vitals.json has a band for every measure a visit takes at this age, for either sex with no condition active. */
export function vitalBandsCover(rows: ReadonlyMap<string, VitalRow>, age: number): boolean {
  const keys = [...EVERY_VISIT, ...pediatricKeys(age)];
  return keys.every((key) => (['female', 'male'] as const).every((sex) => findRange(rows.get(key), age, sex, () => false)));
}

function findRange(row: VitalRow | undefined, age: number, sex: string, active: (key: string) => boolean): VitalRange | undefined {
  const fits = (r: VitalRange) => age >= r.ageMin && age <= r.ageMax && (!r.sex || r.sex === sex) && (!r.condition || active(r.condition));
  return row?.ranges?.find(fits);
}

function rangeFor(row: VitalRow | undefined, age: number, sex: string, active: (key: string) => boolean): VitalRange {
  const range = findRange(row, age, sex, active);
  if (!range) throw new Error(`vitals.json: no band for '${row?.key}' at age ${age}`);
  return range;
}
