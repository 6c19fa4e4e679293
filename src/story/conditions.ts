import type { CodeMaps, ConditionRow, DrugRow } from '../codemaps/types.js';
import type { ConditionPrevalence, Profile, Sex } from '../profile/types.js';
import { addDays, ageOn, daysBetween, maxDate } from '../util/dates.js';
import type { Rng } from '../util/rng.js';
import type { Strata } from './strata.js';
import type { ConditionFact, DrugRegimen, IsoDate, MedicareEntitlement } from './types.js';

/**
 * Co-occurrence: how much more likely a condition is when the member already has another (relative
 * risk, applied to the later of the two in profile order when both are listed). Best-effort estimates read off published
 * conditional prevalence, not fitted: about 2 in 3 adults with diabetes have hypertension (CDC National
 * Diabetes Statistics Report 2023) against ~1 in 2 overall; ~3 in 4 with diabetes have high LDL or take
 * a statin (same report); CKD in 1 in 3 with diabetes and 1 in 5 with hypertension (CDC CKD Surveillance
 * System) against ~1 in 7 overall; about half with depression have an anxiety disorder (NIMH/NCS-R
 * comorbidity, Kessler 2005) against ~1 in 5; heart failure and atrial fibrillation follow hypertension
 * and coronary disease (AHA Heart Disease and Stroke Statistics 2024).
 */
export const CO_OCCURRENCE: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'diabetes-type-2': { hypertension: 1.6, hyperlipidemia: 1.6, obesity: 1.8 },
  hyperlipidemia: { hypertension: 1.5 },
  'ckd-stage-3': { 'diabetes-type-2': 2.2, hypertension: 1.8 },
  'coronary-artery-disease': { hypertension: 1.8, hyperlipidemia: 1.8, 'diabetes-type-2': 1.6 },
  'heart-failure': { hypertension: 1.8, 'coronary-artery-disease': 3, 'atrial-fibrillation': 2.5 },
  'atrial-fibrillation': { hypertension: 1.6 },
  anxiety: { depression: 3 },
  depression: { anxiety: 3 },
  copd: { 'tobacco-use': 3 },
  'osteoarthritis-knee': { obesity: 1.8 },
};

export function prevalenceFor(c: ConditionPrevalence, age: number, sex: Sex): number {
  const band = c.byAgeBand?.find((b) => age >= b.min && age <= b.max);
  let p = band ? band.prevalence : c.prevalence;
  const bySex = c.bySex?.[sex];
  if (bySex !== undefined) p = band ? p * (bySex / Math.max(c.prevalence, 1e-9)) : bySex;
  return Math.min(1, Math.max(0, p));
}

/**
 * Whether a condition can occur at this age and sex, from its ICD-10-CM code's chapter and block, after the
 * sex and maternity edits of the CMS Medicare Code Editor (MCE): male genital organs (C60–C63, D29, D40,
 * N40–N53) for men only; female genital organs and breast-feeding/pregnancy (C51–C58, D25–D28, D39, N70–N98,
 * O00–O9A, Z32–Z3A) for women only, pregnancy at ages 12–55 (MCE maternity edit: 9–64; narrowed to where
 * births occur, NCHS). Profiles can list such conditions without `bySex`; random episodes draw from any row.
 */
export function plausibleFor(row: ConditionRow, age: number, sex: Sex): boolean {
  const code = row.icd10cm[0]?.code ?? '';
  const letter = code[0];
  const block = Number.parseInt(code.slice(1, 3), 10);
  const inRange = (l: string, from: number, to: number) => letter === l && block >= from && block <= to;
  const male = inRange('C', 60, 63) || inRange('D', 29, 29) || inRange('D', 40, 40) || inRange('N', 40, 53);
  const maternity = letter === 'O' || inRange('Z', 32, 39) || row.category === 'pregnancy';
  const female = maternity || inRange('C', 51, 58) || inRange('D', 25, 28) || inRange('D', 39, 39) || inRange('N', 70, 98) || row.category === 'gynecologic';
  if (male) return sex === 'male';
  if (female && sex !== 'female') return false;
  return !maternity || (age >= 12 && age <= 55);
}

/**
 * Conditions the member has during the period: chronic ones begin before it (onset after birth),
 * acute ones begin inside it. With `strata` (src/story/strata.ts) whether the member has a condition
 * is decided on their stratified `condition:<key>` uniform, so populations land close to the profile's
 * prevalences; without, on a plain draw. A Medicare member entitled by ESRD has end-stage renal disease
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
  strata?: Strata,
): ConditionFact[] {
  const age = ageOn(birthDate, profile.period.start);
  // Prevalence by the age reached at the period's end, the age `report` tabulates (REALISM-TARGETS: "ages at
  // its end"): a member who turns 65 during the year is counted among the 65+ and has their rates.
  const prevalenceAge = ageOn(birthDate, profile.period.end);
  const facts: ConditionFact[] = [];
  const drawn = new Set<string>();
  const byKey = new Map(profile.conditions.map((c, i) => [c.key, { c, i }]));
  for (const c of profile.conditions) {
    const head = codeMaps.conditions.get(c.key);
    if (!head) continue;
    const u = strata ? strata.uniform(`condition:${c.key}`, rng) : rng.next();
    if (u >= coOccurring(c, prevalenceAge, sex, drawn, byKey) || !plausibleFor(head, age, sex)) continue;
    drawn.add(c.key);
    const row = variantOf(rng, head);
    const fact = makeCondition(rng, row, birthDate, coverageStart, lastDay);
    facts.push(withRegimens(rng, codeMaps, row, fact, coverageStart, lastDay, age));
  }
  const esrd = entitlement === 'esrd' || entitlement === 'disability-esrd' ? codeMaps.conditions.get(ESRD_CONDITION) : undefined;
  if (esrd && !facts.some((f) => f.key === esrd.key)) {
    facts.push(withRegimens(rng, codeMaps, esrd, makeCondition(rng, esrd, birthDate, coverageStart, lastDay), coverageStart, lastDay, age));
  }
  return facts;
}

/** The code-map key of end-stage renal disease: given with an ESRD Medicare entitlement, never drawn at random. */
export const ESRD_CONDITION = 'esrd';

/**
 * The chance of a condition given those already drawn: p × RR for each co-occurring one the member
 * has, with the base lowered so that the condition's overall prevalence stays what the profile says
 * (q = p / Π(1 + pA·(RR − 1)), exact for one partner while nothing is capped at 1).
 */
function coOccurring(
  c: ConditionPrevalence, age: number, sex: Sex, drawn: ReadonlySet<string>, byKey: ReadonlyMap<string, { c: ConditionPrevalence; i: number }>,
): number {
  const p = prevalenceFor(c, age, sex);
  const partners = CO_OCCURRENCE[c.key];
  if (!partners || p === 0) return p;
  const at = byKey.get(c.key)!.i;
  let q = p;
  let boost = 1;
  for (const [partner, rr] of Object.entries(partners)) {
    // Only partners drawn before it (listed earlier in the profile) can count.
    const other = byKey.get(partner);
    if (!other || other.i > at) continue;
    q /= 1 + prevalenceFor(other.c, age, sex) * (rr - 1);
    if (drawn.has(partner)) boost *= rr;
  }
  return Math.min(1, q * boost);
}

/** The form of a head condition the member has: one of its variants in their shares, else the head itself. */
export function variantOf(rng: Rng, head: ConditionRow): ConditionRow {
  if (!head.variants.length) return head;
  let u = rng.next();
  for (const v of head.variants) {
    if (u < v.share) return v.row;
    u -= v.share;
  }
  return head;
}

/** Chance of an add-on drug to the first for a chronic condition: more with age (best-effort estimate). */
function addOnChance(age: number): number {
  return age >= 65 ? 0.45 : age >= 45 ? 0.3 : 0.15;
}

/**
 * The drugs a member takes for a condition (src/story/types.ts DrugRegimen): for a chronic condition one
 * maintenance drug of the catalog rows that treat it, and with a chance growing with age an add-on of
 * another therapeutic class (a second antihypertensive, an SGLT2 inhibitor beside metformin …); for an
 * acute one, one acute drug (antibiotic, analgesic …) when one treats it. A drug is a package picked
 * uniformly among those rows, so ingredients with more packages in the catalog (the most dispensed)
 * come up more often. Chronic regimens start at the coverage start (or the onset when later) within a
 * month; acute ones on the onset. Children under 12 get no drug (the catalog holds adult strengths).
 */
export function chooseRegimens(rng: Rng, codeMaps: CodeMaps, row: ConditionRow, onset: IsoDate, coverageStart: IsoDate, lastDay: IsoDate, age: number): DrugRegimen[] {
  if (age < 12) return [];
  const candidates = row.drugs.map((k) => codeMaps.drugs.get(k)!).filter((d) => d.chronic === row.chronic);
  if (!candidates.length) return [];
  const first = rng.pick(candidates);
  const chosen: DrugRow[] = [first];
  if (row.chronic && rng.chance(addOnChance(age))) {
    const others = candidates.filter((d) => d.therapeuticClass !== first.therapeuticClass && d.ingredient !== first.ingredient);
    if (others.length) chosen.push(rng.pick(others));
  }
  const from = maxDate(onset, coverageStart);
  return chosen.map((d) => {
    const start = row.chronic ? addDays(from, rng.int(0, 30)) : onset;
    return { drugKey: d.key, start: start > lastDay ? lastDay : start, daysSupply: d.daysSupply, refills: d.refills, chronic: d.chronic };
  });
}

function withRegimens(rng: Rng, codeMaps: CodeMaps, row: ConditionRow, fact: ConditionFact, coverageStart: IsoDate, lastDay: IsoDate, age: number): ConditionFact {
  const regimens = chooseRegimens(rng, codeMaps, row, fact.onset, coverageStart, lastDay, age);
  return { ...fact, regimens };
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
