import type { Sex } from '../profile/types.js';
import type { MedicareEntitlement } from './types.js';

/**
 * Annual probability of death (qx) by age and sex: rounded values of the Social Security
 * Administration's period life table for the Social Security area population (SSA Office of the
 * Chief Actuary, "Actuarial Life Table", period life table 2021 as used in the 2024 Trustees Report,
 * ssa.gov/oact/STATS/table4c6.html), taken per age group at its middle age. Age 0 is the 2020 table's
 * value (0.005837 male, 0.004907 female); the other rows are rounded to two significant figures from
 * the published table and are approximate, not copied row by row. Each row: [from age, male, female].
 */
const QX: readonly (readonly [number, number, number])[] = [
  [0, 0.0058, 0.0049],
  [1, 0.00025, 0.0002],
  [5, 0.00013, 0.0001],
  [15, 0.0011, 0.00045],
  [25, 0.0019, 0.0008],
  [35, 0.003, 0.0016],
  [45, 0.0055, 0.0033],
  [55, 0.0115, 0.0069],
  [65, 0.0185, 0.0118],
  [70, 0.0275, 0.018],
  [75, 0.043, 0.0295],
  [80, 0.07, 0.05],
  [85, 0.12, 0.09],
  [90, 0.2, 0.16],
  [95, 0.32, 0.27],
];

/**
 * People entitled to Medicare under 65 die more often than others their age: dialysis patients
 * about one in five a year (USRDS Annual Data Report, mortality on dialysis; estimate), people on
 * disability insurance about three times the general rate (estimate after SSA disabled-worker
 * mortality studies).
 */
const ESRD_QX = 0.18;
const DISABILITY_FACTOR = 3;

/** Annual probability of death at an age (whole years) for a sex, and a Medicare entitlement by disability or ESRD. */
export function annualDeathProbability(age: number, sex: Sex, entitlement?: MedicareEntitlement): number {
  let row = QX[0]!;
  for (const r of QX) if (age >= r[0]) row = r;
  const q = sex === 'male' ? row[1] : row[2];
  if (entitlement === 'esrd' || entitlement === 'disability-esrd') return Math.max(q, ESRD_QX);
  if (entitlement === 'disability') return Math.min(1, q * DISABILITY_FACTOR);
  return q;
}

/** Probability of death within `days` at a constant annual probability q. */
export function deathProbabilityOver(q: number, days: number): number {
  return 1 - Math.pow(1 - q, Math.max(0, days) / 365.25);
}
