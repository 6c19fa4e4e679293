import type { CodeMaps, ConditionRow } from '../codemaps/types.js';
import type { ConditionPrevalence, Profile, Sex } from '../profile/types.js';
import { addDays, ageOn, daysBetween, maxDate } from '../util/dates.js';
import type { Rng } from '../util/rng.js';
import type { ConditionFact, IsoDate, MedicareEntitlement } from './types.js';

export function prevalenceFor(c: ConditionPrevalence, age: number, sex: Sex): number {
  const band = c.byAgeBand?.find((b) => age >= b.min && age <= b.max);
  let p = band ? band.prevalence : c.prevalence;
  const bySex = c.bySex?.[sex];
  if (bySex !== undefined) p = band ? p * (bySex / Math.max(c.prevalence, 1e-9)) : bySex;
  return Math.min(1, Math.max(0, p));
}

/**
 * Conditions the member has during the period: chronic ones begin before it (onset after birth),
 * acute ones begin inside it. A Medicare member entitled by ESRD has end-stage renal disease
 * (code-map row `esrd`: N18.6, with dialysis at the nephrology visits) besides those the profile draws.
 */
export function simulateConditions(
  rng: Rng,
  profile: Profile,
  codeMaps: CodeMaps,
  birthDate: IsoDate,
  sex: Sex,
  coverageStart: IsoDate,
  lastDay: IsoDate,
  entitlement?: MedicareEntitlement,
): ConditionFact[] {
  const age = ageOn(birthDate, profile.period.start);
  const facts: ConditionFact[] = [];
  for (const c of profile.conditions) {
    const row = codeMaps.conditions.get(c.key);
    if (!row || !rng.chance(prevalenceFor(c, age, sex))) continue;
    facts.push(makeCondition(rng, row, birthDate, coverageStart, lastDay));
  }
  const esrd = entitlement === 'esrd' || entitlement === 'disability-esrd' ? codeMaps.conditions.get('esrd') : undefined;
  if (esrd && !facts.some((f) => f.key === esrd.key)) facts.push(makeCondition(rng, esrd, birthDate, coverageStart, lastDay));
  return facts;
}

export function makeCondition(
  rng: Rng,
  row: ConditionRow,
  birthDate: IsoDate,
  coverageStart: IsoDate,
  lastDay: IsoDate,
  onsetWithin?: IsoDate,
): ConditionFact {
  let onset: IsoDate;
  if (onsetWithin) onset = onsetWithin;
  else if (row.chronic) onset = maxDate(addDays(birthDate, 30), addDays(coverageStart, -rng.int(30, 3650)));
  else onset = addDays(coverageStart, rng.int(0, Math.max(0, daysBetween(coverageStart, lastDay))));
  return { key: row.key, onset, icd10Index: rng.int(0, row.icd10cm.length - 1) };
}
