import type { CodeMaps, ConditionRow } from '../codemaps/types.js';
import type { ClaimType, Profile } from '../profile/types.js';
import { addDays, daysBetween, minDate } from '../util/dates.js';
import { Rng, stableHash } from '../util/rng.js';
import { MemberClaimsContext } from './claims/context.js';
import type { ClaimDraft } from './claims/draft.js';
import { ambulanceClaim } from './claims/ambulance.js';
import { finalizeClaims } from './claims/finalize.js';
import { inpatientClaim, outpatientClaim } from './claims/institutional.js';
import { oralClaim } from './claims/oral.js';
import { pharmacyClaims } from './claims/pharmacy.js';
import { professionalClaim } from './claims/professional.js';
import { makeCondition, prevalenceFor, simulateConditions } from './conditions.js';
import { claimsAsOf, conditionsAsOf, coveragesAsOf, memberAsOf } from './as-of.js';
import { enroll } from './enrollment.js';
import { PersonSource } from './person-source.js';
import { simulateClinical } from './clinical/index.js';
import { showcaseFor } from './showcase.js';
import type { ConditionFact, CoverageFact, Directory, IsoDate, MemberStory } from './types.js';

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
  const { member, coverages, plans } = enroll(rng, people, profile, codeMaps, showcase);
  const key = stableHash(`fhirseed:${profile.seed}:member:${index}`, 12);
  const first = coverages[0];
  const lastDay = member.deceasedDate ? minDate(member.deceasedDate, profile.period.end) : profile.period.end;
  const conditions = first
    ? simulateConditions(rng, profile, codeMaps, member.birthDate, member.sex, first.start, lastDay, member.medicareEntitlement)
    : [];
  const ctx = new MemberClaimsContext(rng, people, profile, codeMaps, directory, member, conditions, coverages, plans, showcase);
  const drafts = planClaims(ctx);
  const history = finalizeClaims(rng, key, drafts, plans, Boolean(showcase?.corrected));
  const { adjudicated: claims, inFlight } = claimsAsOf(history, now);
  const story = {
    index,
    key,
    member: memberAsOf(member, now),
    coverages: coveragesAsOf(coverages, member, now, profile.period.end),
    conditions: conditionsAsOf(conditions, now),
    claims,
    ...(inFlight.length ? { inFlightClaims: inFlight } : {}),
  };
  // The clinical record sees every visit that has begun, adjudicated or not, in claim order.
  const visible = [...claims, ...inFlight].sort((a, b) => a.ordinal - b.ordinal);
  const clinical = simulateClinical({ rng, profile, codeMaps, directory, story: { ...story, claims: visible }, lastDay: minDate(lastDay, now), now });
  return { ...story, clinical };
}

/** Decides what happens to the member in the period, as claim drafts. */
function planClaims(ctx: MemberClaimsContext): ClaimDraft[] {
  const { rng, profile, showcase } = ctx;
  const drafts: ClaimDraft[] = [];
  const forced = new Set<ClaimType>(showcase?.claimTypes ?? []);
  const medical = ctx.medicalCoverage();
  const dental = ctx.dentalCoverage();
  let denyNext = Boolean(showcase?.denial);
  let outOfNetworkNext = Boolean(showcase?.outOfNetwork);
  const takeDeny = () => { const d = denyNext; denyNext = false; return d; };
  const takeOon = () => { const o = outOfNetworkNext; outOfNetworkNext = false; return o; };
  // The first claim of each kind falls in the first 60% of the coverage, so that it is paid by "now".
  const earlyDate = (coverage: CoverageFact) => {
    const span = daysBetween(coverage.start, minDate(coverage.end, ctx.lastServiceDay));
    return span < 0 ? undefined : addDays(coverage.start, rng.int(0, Math.floor(span * 0.6)));
  };

  if (medical && ctx.years(medical) > 0) {
    const years = ctx.years(medical);
    // Chronic conditions: follow-up visits and a maintenance drug filled on days-supply.
    for (const condition of ctx.conditions) {
      const row = ctx.conditionRow(condition);
      const visits = rng.poisson(row.visitsPerYear * years);
      for (let i = 0; i < visits; i++) {
        const date = ctx.serviceDate(medical, condition.onset);
        if (date) drafts.push(professionalClaim(ctx, { coverage: medical, date, condition }));
      }
      const drugKey = row.drugs.length ? rng.pick(row.drugs) : undefined;
      const drug = drugKey ? ctx.codeMaps.drugs.get(drugKey) : undefined;
      if (drug && profile.utilization.pharmacy > 0) {
        const start = ctx.serviceDate(medical, condition.onset);
        if (start) {
          const fills = row.chronic ? Math.ceil(daysBetween(start, ctx.lastServiceDay) / drug.daysSupply) + 1 : 1;
          const forcedFill = forced.delete('pharmacy');
          drafts.push(...pharmacyClaims(ctx, { coverage: medical, drug, conditionKey: row.key, firstFill: start, fills, forced: forcedFill, deny: forcedFill && takeDeny() }));
        }
      }
    }
    // Baseline utilization: routine exams and acute episodes.
    const drawn = rng.poisson(profile.utilization.professional * years) + (forced.delete('professional') ? 1 : 0);
    const professional = Math.max(drawn, ctx.showcase?.professionalVisits ?? 0);
    for (let i = 0; i < professional; i++) {
      const date = i === 0 ? earlyDate(medical) : ctx.serviceDate(medical);
      if (!date) continue;
      const condition = i === 0 || ctx.conditions.length === 0 || rng.chance(0.4) ? undefined : rng.pick(ctx.conditions);
      drafts.push(professionalClaim(ctx, { coverage: medical, date, condition: condition && condition.onset <= date ? condition : undefined, forced: i === 0, outOfNetwork: takeOon(), deny: i === 0 && takeDeny() }));
    }
    const outpatient = rng.poisson(profile.utilization.outpatient * years) + (forced.delete('outpatient') ? 1 : 0);
    for (let i = 0; i < outpatient; i++) {
      const date = i === 0 ? earlyDate(medical) : ctx.serviceDate(medical);
      if (!date) continue;
      const condition = episode(ctx, medical, date, false);
      drafts.push(outpatientClaim(ctx, { coverage: medical, date, condition, forced: i === 0, outOfNetwork: takeOon(), deny: i === 0 && takeDeny() }));
      const byAmbulance = i === 0 && Boolean(showcase?.ambulance);
      if (byAmbulance || rng.chance(0.1)) drafts.push(ambulanceClaim(ctx, { coverage: medical, date, condition, forced: byAmbulance }));
      drafts.push(professionalClaim(ctx, { coverage: medical, date, condition }));
    }
    const inpatient = rng.poisson(profile.utilization.inpatient * years) + (forced.delete('inpatient') ? 1 : 0);
    for (let i = 0; i < inpatient; i++) {
      const date = i === 0 ? earlyDate(medical) : ctx.serviceDate(medical);
      if (!date) continue;
      // The coverage plan's admission is a surgical one, so that inpatient procedures (ICD-10-PCS) show.
      const condition = episode(ctx, medical, date, true, false, i === 0 && Boolean(showcase));
      drafts.push(inpatientClaim(ctx, { coverage: medical, date, condition, forced: i === 0, deny: i === 0 && takeDeny() }));
      drafts.push(professionalClaim(ctx, { coverage: medical, date, condition }));
    }
    // Acute prescriptions beyond those the chronic conditions bring.
    const acuteFills = rng.poisson(profile.utilization.pharmacy * years * 0.15) + (forced.delete('pharmacy') ? 1 : 0);
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
    const visits = Math.max(rng.poisson(profile.utilization.oral * ctx.years(dental)), forced.delete('oral') ? 1 : 0);
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
    // The coverage plan's operation places an implant (so that its Device shows): an ICD-10-PCS code with an implant row.
    return Boolean(row && (!admission || row.drgs.length) && (!needsDrug || row.drugs.length) && (!surgical || row.pcs.some((p) => codeMaps.clinical.care.implantsByPcs.has(p))));
  };
  if (surgical) {
    const own = ctx.conditions.filter((c) => fits(c.key));
    if (own.length) return rng.pick(own);
    const rows = [...codeMaps.conditions.values()].filter((r) => fits(r.key));
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
  const anyFitting = [...codeMaps.conditions.values()].filter((r) => fits(r.key));
  const row = weighted.length ? rng.weighted(weighted, (c) => c.weight).row : rng.pick(anyFitting);
  const fact = makeCondition(rng, row, ctx.member.birthDate, coverage.start, date, date);
  ctx.conditions.push(fact);
  return fact;
}
