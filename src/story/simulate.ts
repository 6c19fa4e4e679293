import type { CodeMaps, ConditionRow } from '../codemaps/types.js';
import { planProfile, planUtilization } from '../profile/plan-settings.js';
import type { ClaimType, Profile } from '../profile/types.js';
import { addDays, daysBetween, maxDate, minDate } from '../util/dates.js';
import { Rng } from '../util/rng.js';
import { MemberClaimsContext } from './claims/context.js';
import type { ClaimDraft } from './claims/draft.js';
import { ambulanceClaim } from './claims/ambulance.js';
import { finalizeClaims } from './claims/finalize.js';
import { authorizeDrafts, priorAuthsAsOf, rentalShowcase } from './prior-auth.js';
import { inpatientClaim, outpatientClaim } from './claims/institutional.js';
import { oralClaim } from './claims/oral.js';
import { pharmacyClaims } from './claims/pharmacy.js';
import { professionalClaim } from './claims/professional.js';
import { ESRD_CONDITION, makeCondition, plausibleFor, prevalenceFor, simulateConditions } from './conditions.js';
import { claimsAsOf, conditionsAsOf, coveragesAsOf, memberAsOf } from './as-of.js';
import { enroll } from './enrollment.js';
import { PersonSource } from './person-source.js';
import { memberKey } from './run-keys.js';
import { simulateClinical } from './clinical/index.js';
import { showcaseFor } from './showcase.js';
import { memberStrata, poissonFromUniform, type Strata } from './strata.js';
import type { ConditionFact, CoverageFact, Directory, DrugRegimen, IsoDate, MemberStory } from './types.js';

export interface SimulationEnv {
  profile: Profile;
  codeMaps: CodeMaps;
  directory: Directory;
  /** The run's "now" (YYYY-MM-DD), default the period end: nothing after it has happened. */
  now?: IsoDate;
}

/**
 * Member `index` of the population: a pure function of (profile, code maps, index, now). The claims
 * are simulated for the whole period, then cut at now (src/story/as-of.ts): what the payer has
 * adjudicated by then are the claims, what it has not yet are in flight, and the clinical record is
 * simulated up to now from both (its visits are the claims' visits that have begun).
 */
export function simulateMember(env: SimulationEnv, index: number): MemberStory {
  const { profile, codeMaps, directory } = env;
  const now = env.now ?? profile.period.end;
  const rng = new Rng(`${profile.seed}:member:${index}`);
  const people = new PersonSource(rng);
  const showcase = showcaseFor(index, profile);
  const strata = memberStrata(profile, index);
  const { member, coverages, plans } = enroll(rng, people, profile, codeMaps, showcase, strata);
  const key = memberKey(profile, index);
  const first = coverages[0];
  const lastDay = member.deceasedDate ? minDate(member.deceasedDate, profile.period.end) : profile.period.end;
  // The member's plan may carry its own condition rows (plans[].conditions): its members' conditions and episodes follow them.
  const own = planProfile(profile, [...plans.values()].find((p) => p.type !== 'dental'));
  const conditions = first
    ? simulateConditions(rng, own, codeMaps, member.birthDate, member.sex, first.start, lastDay, member.medicareEntitlement, strata)
    : [];
  const ctx = new MemberClaimsContext(rng, people, own, codeMaps, directory, member, conditions, coverages, plans, showcase);
  const authorized = authorizeDrafts(ctx, key, planClaims(ctx, strata));
  const history = finalizeClaims(rng, key, authorized.drafts, plans, Boolean(showcase?.corrected));
  const priorAuthorizations = priorAuthsAsOf(authorized.auths, now);
  const { adjudicated: claims, inFlight } = claimsAsOf(history, now);
  const story = {
    index,
    key,
    member: memberAsOf(member, now),
    coverages: coveragesAsOf(coverages, member, now, profile.period.end),
    conditions: conditionsAsOf(conditions, now),
    claims,
    ...(inFlight.length ? { inFlightClaims: inFlight } : {}),
    ...(priorAuthorizations.length ? { priorAuthorizations } : {}),
  };
  // The clinical record sees every visit that has begun, adjudicated or not, in claim order.
  const visible = [...claims, ...inFlight].sort((a, b) => a.ordinal - b.ordinal);
  const clinical = simulateClinical({ rng, profile, codeMaps, directory, story: { ...story, claims: visible }, lastDay: minDate(lastDay, now), now });
  return { ...story, clinical };
}

/**
 * Decides what happens to the member in the period, as claim drafts. ER visits and admissions are
 * counted from the member's stratified uniforms (src/story/strata.ts), the report's rates of them being
 * among its targets.
 */
function planClaims(ctx: MemberClaimsContext, strata: Strata): ClaimDraft[] {
  const { rng, profile, showcase } = ctx;
  const drafts: ClaimDraft[] = [];
  const forced = new Set<ClaimType>(showcase?.claimTypes ?? []);
  const medical = ctx.medicalCoverage();
  const dental = ctx.dentalCoverage();
  // Rates follow the member's plan (plans[].utilization over the profile's).
  const use = planUtilization(profile, medical && ctx.plans.get(medical.ordinal));
  const oralRate = planUtilization(profile, dental && ctx.plans.get(dental.ordinal)).oral;
  let denyNext = Boolean(showcase?.denial);
  let outOfNetworkNext = Boolean(showcase?.outOfNetwork);
  const takeDeny = () => { const d = denyNext; denyNext = false; return d; };
  const takeOon = () => { const o = outOfNetworkNext; outOfNetworkNext = false; return o; };
  // The first claim of each kind falls in the first 60% of the coverage, so that it is paid by "now".
  const earlyDate = (coverage: CoverageFact) => {
    const span = daysBetween(coverage.start, minDate(coverage.end, ctx.lastServiceDay));
    return span < 0 ? undefined : addDays(coverage.start, rng.int(0, Math.floor(span * 0.6)));
  };

  // Non-users: a share of the members without a chronic condition (or a birth) see no doctor and fill nothing this year.
  const chronic = ctx.conditions.some((c) => ctx.conditionRow(c).chronic || isDelivery(ctx.conditionRow(c)));
  const nonUser = !showcase && !chronic && rng.chance(use.nonUsers ?? 0);
  if (medical && ctx.years(medical) > 0 && !nonUser) {
    const years = ctx.years(medical);
    // Chronic conditions: follow-up visits and their drugs, filled on days supply until coverage ends.
    for (const condition of ctx.conditions) {
      const row = ctx.conditionRow(condition);
      // A birth is a hospital stay with the delivering clinician's claim, on the day of the delivery.
      const deliveredInCoverage = isDelivery(row) && condition.onset >= medical.start && condition.onset <= minDate(medical.end, ctx.lastServiceDay);
      const birthDate = deliveredInCoverage && rng.chance(HOSPITAL_BIRTH_SHARE) ? condition.onset : undefined;
      if (birthDate) {
        drafts.push(inpatientClaim(ctx, { coverage: medical, date: birthDate, condition }));
        drafts.push(professionalClaim(ctx, { coverage: medical, date: birthDate, condition }));
      }
      const visits = birthDate ? 0 : rng.poisson(row.visitsPerYear * years);
      for (let i = 0; i < visits; i++) {
        const date = ctx.serviceDate(medical, condition.onset);
        if (date) drafts.push(professionalClaim(ctx, { coverage: medical, date, condition }));
      }
      if (use.pharmacy <= 0) continue;
      for (const regimen of regimensOf(ctx, condition, medical)) {
        const drug = ctx.codeMaps.drugs.get(regimen.drugKey);
        if (!drug) continue;
        const start = regimen.start > ctx.lastServiceDay ? undefined : regimen.start;
        if (!start) continue;
        const daysSupply = regimen.daysSupply || drug.daysSupply;
        let fills = regimen.chronic ? Math.ceil(daysBetween(start, ctx.lastServiceDay) / daysSupply) + 1 : 1;
        // Persistence: some chronic prescriptions are never filled, some are stopped during the year.
        if (regimen.chronic) {
          const older = ctx.ageOn(start) >= 65;
          if (rng.chance(older ? NEVER_FILLED_65_PLUS : NEVER_FILLED_UNDER_65)) continue;
          if (rng.chance(older ? DISCONTINUED_65_PLUS : DISCONTINUED_UNDER_65)) fills = rng.int(1, fills);
        }
        const forcedFill = forced.delete('pharmacy');
        drafts.push(...pharmacyClaims(ctx, {
          coverage: medical, drug, conditionKey: row.key, firstFill: start, fills, daysSupply, refills: regimen.refills,
          forced: forcedFill, deny: forcedFill && takeDeny(),
        }));
      }
    }
    // Baseline utilization: routine exams and acute episodes.
    const drawn = rng.poisson(use.professional * years) + (forced.delete('professional') ? 1 : 0);
    const professional = Math.max(drawn, ctx.showcase?.professionalVisits ?? 0);
    for (let i = 0; i < professional; i++) {
      const date = i === 0 ? earlyDate(medical) : ctx.serviceDate(medical);
      if (!date) continue;
      const condition = i === 0 || ctx.conditions.length === 0 || rng.chance(0.4) ? undefined : rng.pick(ctx.conditions);
      drafts.push(professionalClaim(ctx, { coverage: medical, date, condition: condition && condition.onset <= date ? condition : undefined, forced: i === 0, outOfNetwork: takeOon(), deny: i === 0 && takeDeny() }));
    }
    // The coverage plan's CPAP rental, approved for its first months and then renewed (src/story/prior-auth.ts).
    if (showcase?.rental) drafts.push(...rentalShowcase(ctx, medical));
    // Hospital outpatient visits: emergency-department visits (with the ED physician's claim and, for
    // some, an ambulance) and scheduled tests, imaging and procedures.
    const emergencyRate = use.emergency ?? use.outpatient / 5;
    const emergencies = poissonFromUniform(emergencyRate * years, strata.uniform('emergency', rng));
    const scheduled = rng.poisson(Math.max(0, use.outpatient - emergencyRate) * years);
    const outpatient = emergencies + scheduled + (forced.delete('outpatient') ? 1 : 0);
    for (let i = 0; i < outpatient; i++) {
      const date = i === 0 ? earlyDate(medical) : ctx.serviceDate(medical);
      if (!date) continue;
      const emergency = i < emergencies;
      const condition = episode(ctx, medical, date, false);
      drafts.push(outpatientClaim(ctx, { coverage: medical, date, condition, emergency, forced: i === 0, outOfNetwork: takeOon(), deny: i === 0 && takeDeny() }));
      const byAmbulance = i === 0 && Boolean(showcase?.ambulance);
      if (byAmbulance || (emergency && rng.chance(0.15))) drafts.push(ambulanceClaim(ctx, { coverage: medical, date, condition, forced: byAmbulance }));
      if (emergency || rng.chance(0.5)) drafts.push(professionalClaim(ctx, { coverage: medical, date, condition, emergency }));
    }
    const inpatient = poissonFromUniform(use.inpatient * years, strata.uniform('inpatient', rng)) + (forced.delete('inpatient') ? 1 : 0);
    for (let i = 0; i < inpatient; i++) {
      const date = i === 0 ? earlyDate(medical) : ctx.serviceDate(medical);
      if (!date) continue;
      // The coverage plan's admission is a surgical one, so that inpatient procedures (ICD-10-PCS) show.
      const condition = episode(ctx, medical, date, true, false, i === 0 && Boolean(showcase));
      drafts.push(inpatientClaim(ctx, { coverage: medical, date, condition, forced: i === 0, deny: i === 0 && takeDeny() }));
      drafts.push(professionalClaim(ctx, { coverage: medical, date, condition }));
    }
    // Many deaths follow a last hospital stay (the stay then ends on the day of death).
    const death = ctx.member.deceasedDate;
    if (death && !showcase && death <= ctx.lastServiceDay && rng.chance(TERMINAL_ADMISSION_SHARE)) {
      const date = maxDate(medical.start, addDays(death, -rng.int(1, 10)));
      const condition = episode(ctx, medical, date, true);
      drafts.push(inpatientClaim(ctx, { coverage: medical, date, condition }));
      drafts.push(professionalClaim(ctx, { coverage: medical, date, condition }));
    }
    // Acute prescriptions beyond those the chronic conditions bring, most after a visit.
    const acuteFills = rng.poisson(use.pharmacy * years) + (forced.delete('pharmacy') ? 1 : 0);
    for (let i = 0; i < acuteFills; i++) {
      const date = i === 0 ? earlyDate(medical) : ctx.serviceDate(medical);
      if (!date) continue;
      const condition = episode(ctx, medical, date, false, true);
      const row = ctx.conditionRow(condition);
      const drug = row.drugs.length ? ctx.codeMaps.drugs.get(rng.pick(row.drugs)) : undefined;
      if (!drug) continue;
      drafts.push(professionalClaim(ctx, { coverage: medical, date, condition }));
      drafts.push(...pharmacyClaims(ctx, { coverage: medical, drug, conditionKey: row.key, firstFill: date, fills: 1, forced: i === 0, deny: i === 0 && takeDeny() }));
    }
  }
  if (dental && ctx.years(dental) > 0) {
    const visits = Math.max(rng.poisson(oralRate * ctx.years(dental)), forced.delete('oral') ? 1 : 0);
    const seenYears = new Set<string>();
    for (let i = 0; i < visits; i++) {
      const date = i === 0 ? earlyDate(dental) : ctx.serviceDate(dental);
      if (!date) continue;
      const year = date.slice(0, 4);
      drafts.push(oralClaim(ctx, { coverage: dental, date, firstOfYear: !seenYears.has(year), forced: i === 0, deny: i === 0 && takeDeny() }));
      seenYears.add(year);
    }
  }
  return drafts;
}

/** Share of deaths (outside the coverage plan) preceded by a hospital stay: about a third of Medicare decedents die in hospital (estimate after CDC NCHS Data Brief 384, place of death). */
const TERMINAL_ADMISSION_SHARE = 0.35;

/**
 * Births in hospital: 98.4% of US births in 2021 (NCHS, Births: Final Data for 2021, NVSR 72-1; the
 * rest at home or in birth centres, which stay professional claims).
 */
const HOSPITAL_BIRTH_SHARE = 0.984;

/** MS-DRGs of a delivery (v43): cesarean 783–788, vaginal with sterilization/D&C 796–798, vaginal 805–807. */
const DELIVERY_DRGS = new Set(['783', '784', '785', '786', '787', '788', '796', '797', '798', '805', '806', '807']);

/** A delivery condition: one whose every MS-DRG is a delivery DRG (cesarean and vaginal delivery rows). */
export function isDelivery(row: ConditionRow): boolean {
  return row.drgs.length > 0 && row.drgs.every((d) => DELIVERY_DRGS.has(d));
}

/**
 * Persistence of chronic prescriptions: the share never filled (primary non-adherence, about one in
 * five new prescriptions: Fischer et al., J Gen Intern Med 2010) and the share stopped during the year
 * (after a uniform number of fills), under and over 65. Estimates, calibrated with `fhirseed report`
 * so that 30-day-equivalent fills land on the commercial-adult (11.3) and Medicare (54) targets: older
 * members on Part D keep their maintenance drugs far more often than working-age adults.
 */
const NEVER_FILLED_UNDER_65 = 0.3;
const DISCONTINUED_UNDER_65 = 0.7;
const NEVER_FILLED_65_PLUS = 0.02;
const DISCONTINUED_65_PLUS = 0.05;

/**
 * The drugs a member takes for a condition: the regimens the condition model chose, or else one of
 * the condition row's drugs (chronic: filled all year from a date after onset; acute: once).
 */
function regimensOf(ctx: MemberClaimsContext, condition: ConditionFact, coverage: CoverageFact): DrugRegimen[] {
  if (condition.regimens) return condition.regimens;
  const row = ctx.conditionRow(condition);
  const drugKey = row.drugs.length ? ctx.rng.pick(row.drugs) : undefined;
  const drug = drugKey ? ctx.codeMaps.drugs.get(drugKey) : undefined;
  if (!drug || !drugKey) return [];
  // A drug taken before coverage began is next filled within its first days supply; a new one soon after onset.
  const from = maxDate(coverage.start, condition.onset);
  const start = addDays(from, condition.onset < coverage.start ? ctx.rng.int(0, drug.daysSupply - 1) : ctx.rng.int(0, 14));
  return [{ drugKey, start, daysSupply: drug.daysSupply, refills: Math.max(0, Math.round(360 / drug.daysSupply) - 1), chronic: row.chronic }];
}

/**
 * The condition an outpatient visit, admission or acute prescription is for: one the member has
 * when it fits, else a new acute episode that then becomes part of the member's conditions, so the
 * clinical view and the claims agree.
 */
function episode(
  ctx: MemberClaimsContext,
  coverage: CoverageFact,
  date: string,
  admission: boolean,
  needsDrug = false,
  surgical = false,
): ConditionFact {
  const { rng, codeMaps } = ctx;
  const fits = (key: string) => {
    const row = codeMaps.conditions.get(key);
    if (row && !plausibleFor(row, ctx.ageOn(date), ctx.member.sex)) return false;
    // A delivery is a birth: a hospital stay, never the reason of an office, outpatient or pharmacy episode.
    if (row && !admission && isDelivery(row)) return false;
    // The coverage plan's operation places an implant (so that its Device shows): an ICD-10-PCS code with an implant row.
    return Boolean(row && (!admission || row.drgs.length) && (!needsDrug || row.drugs.length) && (!surgical || row.pcs.some((p) => codeMaps.clinical.care.implantsByPcs.has(p))));
  };
  if (surgical) {
    const own = ctx.conditions.filter((c) => fits(c.key));
    if (own.length) return rng.pick(own);
    // ESRD comes with its Medicare entitlement (enrollment), never from a random operation.
    const rows = [...codeMaps.conditions.values()].filter((r) => r.key !== ESRD_CONDITION && fits(r.key));
    if (rows.length) {
      const fact = makeCondition(rng, rng.pick(rows), ctx.member.birthDate, coverage.start, date);
      ctx.conditions.push(fact);
      return fact;
    }
  }
  const own = ctx.conditions.filter((c) => c.onset <= date && fits(c.key) && (admission || !needsDrug || !ctx.conditionRow(c).chronic));
  if (own.length && rng.chance(0.7)) return rng.pick(own);
  // A new episode: an acute condition of the profile, weighted by its prevalence at the member's age and sex.
  const age = ctx.ageOn(date);
  const weighted = ctx.profile.conditions
    .map((c) => ({ row: codeMaps.conditions.get(c.key), weight: prevalenceFor(c, age, ctx.member.sex) }))
    .filter((c): c is { row: ConditionRow; weight: number } => Boolean(c.row && !c.row.chronic && fits(c.row.key) && c.weight > 0));
  let row = weighted.length ? rng.weighted(weighted, (c) => c.weight).row : undefined;
  if (!row) {
    // None of the profile's fits: an unlisted acute one, never a chronic condition nor an acute CMS CCW one (AMI,
    // stroke, hip fracture, COPD exacerbation …), so the profile's list is what the member's chronic conditions are.
    const unlisted = [...codeMaps.conditions.values()].filter((r) => !r.chronic && !r.ccw && fits(r.key));
    // (Code maps without such a row: any that fits, as before.)
    row = rng.pick(unlisted.length ? unlisted : [...codeMaps.conditions.values()].filter((r) => r.key !== ESRD_CONDITION && fits(r.key)));
  }
  const fact = makeCondition(rng, row, ctx.member.birthDate, coverage.start, date, date);
  ctx.conditions.push(fact);
  return fact;
}
