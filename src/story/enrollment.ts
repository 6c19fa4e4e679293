import type { CodeMaps } from '../codemaps/types.js';
import { planAgeBands } from '../profile/plan-settings.js';
import type { AgeBand, Plan, Profile } from '../profile/types.js';
import { addDays, daysBetween, maxDate, minDate } from '../util/dates.js';
import type { Rng } from '../util/rng.js';
import { fictionalMbi } from './identifiers.js';
import { annualDeathProbability, deathProbabilityOver } from './mortality.js';
import type { PersonSource } from './person-source.js';
import type { Showcase } from './showcase.js';
import type { Strata } from './strata.js';
import type { CoverageFact, IsoDate, MedicareEntitlement, MemberFact, PersonFact, Relationship } from './types.js';

export interface Enrollment {
  member: MemberFact;
  coverages: CoverageFact[];
  /** Plan of each coverage, by ordinal. */
  plans: Map<number, Plan>;
}

/**
 * Who the member is, and which plans cover them when. Eligibility follows the medical plan type:
 * a Medicare Advantage member is 65+ (entitlement 'age') or 18-64 entitled by disability and/or
 * ESRD, and is always the subscriber of their own coverage (Medicare has no dependents);
 * commercial, Medicaid and dental-only members may be a spouse or a child of a subscriber. The
 * member's age at the period start is exact to the day. Members outside the coverage plan die at
 * the rate of the life table for their age and sex (src/story/mortality.ts), the coverage plan's
 * `deceased` member late in the period; a member who dies is covered to the end of the month of death.
 */
export function enroll(
  rng: Rng,
  people: PersonSource,
  profile: Profile,
  codeMaps: CodeMaps,
  showcase: Showcase | undefined,
  strata?: Strata,
): Enrollment {
  const medicalPlans = profile.plans.filter((p) => p.type !== 'dental');
  const dentalPlans = profile.plans.filter((p) => p.type === 'dental');
  const forced = showcase?.planType ? medicalPlans.filter((p) => p.type === showcase.planType) : [];
  const medical = medicalPlans.length ? rng.weightedOrAny(eligiblePlans(forced.length ? forced : medicalPlans, showcase), (p) => p.share) : undefined;
  const dentalTakeUp = dentalPlans.reduce((s, p) => s + p.share, 0);
  const dental =
    dentalPlans.length && (!medical || showcase?.dental || rng.chance(dentalTakeUp))
      ? rng.weightedOrAny(dentalPlans, (p) => p.share)
      : undefined;

  const medicare = medical?.type === 'medicare-advantage';
  // The age mix follows the plan (its own ageBands, else the profile's): a dental-only member's is the dental plan's.
  const bands = planAgeBands(profile, medical ?? dental);
  const { age, entitlement } = medicare
    ? chooseMedicareAge(rng, bands, showcase)
    : { age: chooseAge(rng, bands, showcase, strata), entitlement: undefined };
  const { start: periodStart, end: periodEnd } = profile.period;
  const birthDate = birthDateFor(rng, periodStart, age);
  const drawnSex = rng.weighted(profile.demographics.sex, (s) => s.share).code;
  const sex = showcase?.namesake ? 'male' : drawnSex;
  const state = rng.weighted(profile.demographics.states, (s) => s.share).code;
  // Medicare has no dependents: every beneficiary is enrolled in their own name.
  const relationship = medicare ? 'self' : chooseRelationship(rng, age, profile, showcase);
  const table = (name: string) => codeMaps.tables.get(name)?.codes ?? [];
  const race = lookup(table('race'), rng.weighted(profile.demographics.race, (s) => s.share).code);
  const ethnicity = lookup(table('ethnicity'), rng.weighted(profile.demographics.ethnicity, (s) => s.share).code);
  const languageCode = ethnicity.code === '2135-2' && rng.chance(0.4) ? 'es' : rng.chance(0.05) ? rng.pick(['zh', 'vi', 'ko']) : 'en';
  const language = lookup(table('language'), languageCode);

  const name = people.name(sex, age >= 18);
  const address = people.address(state);
  const person: PersonFact = {
    name, sex, birthDate, race, ethnicity, language, address,
    phone: people.phone(),
    email: people.email(name),
  };
  let subscriber: PersonFact | undefined;
  if (relationship !== 'self') {
    const drawnSubSex = rng.chance(0.5) ? 'female' : 'male';
    const subSex = relationship === 'spouse' ? (sex === 'female' ? 'male' : 'female') : showcase?.namesake ? 'male' : drawnSubSex;
    const subAge = relationship === 'spouse' ? Math.max(18, age + rng.int(-5, 5)) : age + rng.int(22, 40);
    const subName = { ...people.name(subSex, true), family: name.family };
    subscriber = {
      name: subName,
      sex: subSex,
      birthDate: birthDateFor(rng, periodStart, subAge),
      race, ethnicity, language, address,
      phone: person.phone,
      email: people.email(subName),
    };
    if (showcase?.namesake && relationship === 'child') {
      person.name = { given: [...subName.given], family: subName.family, suffix: 'Jr.' };
      person.email = people.email(person.name);
    }
  }
  const prefix = profile.payer.memberIdPrefix;
  const subscriberId = `${prefix}${rng.digits(8)}`;
  const suffix = relationship === 'self' ? '01' : relationship === 'spouse' ? '02' : `0${rng.int(3, 6)}`;
  const member: MemberFact = {
    ...person,
    memberId: `${subscriberId}-${suffix}`,
    uniqueMemberId: `${prefix}U${rng.digits(9)}`,
    relationship,
    subscriberId,
    subscriber,
  };
  if (medicare) {
    member.mbi = fictionalMbi(rng);
    member.medicareEntitlement = entitlement;
  }
  if (medical?.type === 'medicaid') member.medicaidId = `MCD${rng.digits(9)}`;

  // Coverage timeline: most members are enrolled all period; some join late.
  const lateJoin = !showcase && rng.chance(0.12);
  const start = lateJoin ? addDays(periodStart, rng.int(30, Math.max(31, daysBetween(periodStart, periodEnd) - 120))) : periodStart;
  let end = periodEnd;
  if (showcase?.deceased) {
    member.deceasedDate = addDays(start, Math.floor(daysBetween(start, periodEnd) * (0.6 + rng.next() * 0.3)));
    end = minDate(endOfMonth(member.deceasedDate), periodEnd);
  } else if (!showcase) {
    // Deaths by the life table: the chance of dying within the covered span, on a day uniform in it.
    const span = daysBetween(start, periodEnd);
    if (rng.chance(deathProbabilityOver(annualDeathProbability(age, sex, entitlement), span + 1))) {
      member.deceasedDate = addDays(start, rng.int(0, span));
      end = minDate(endOfMonth(member.deceasedDate), periodEnd);
    }
  }
  const coverages: CoverageFact[] = [];
  const plans = new Map<number, Plan>();
  const add = (plan: Plan, from: string) => {
    const ordinal = coverages.length + 1;
    plans.set(ordinal, plan);
    coverages.push({
      ordinal,
      planId: plan.id,
      planName: plan.name,
      planType: plan.type,
      group: plan.group,
      start: maxDate(from, birthDate),
      end,
      status: 'active',
    });
  };
  if (medical) add(medical, start);
  if (dental) add(dental, start);
  return { member, coverages, plans };
}

/**
 * Medical plans the member may be drawn onto: a coverage-plan scenario that needs a dependent
 * (spouse or child) or a minor never lands on Medicare Advantage, unless the profile has no other plan.
 */
function eligiblePlans(plans: Plan[], showcase: Showcase | undefined): Plan[] {
  const needsNonMedicare = Boolean(showcase?.relationship || (showcase?.age && showcase.age.max < 18));
  if (!needsNonMedicare) return plans;
  const others = plans.filter((p) => p.type !== 'medicare-advantage');
  return others.length ? others : plans;
}

/** A birth date on which the member is exactly `age` whole years old at `on`. */
function birthDateFor(rng: Rng, on: IsoDate, age: number): IsoDate {
  const latest = yearsBefore(on, age);
  const earliest = addDays(yearsBefore(on, age + 1), 1);
  return addDays(earliest, rng.int(0, daysBetween(earliest, latest)));
}

/**
 * Coverage of a member who dies ends on the last day of the month of death: Medicare Advantage
 * disenrolment for death takes effect on the first day of the following month (CMS Medicare
 * Managed Care Manual ch. 2, MA Enrollment and Disenrollment Guidance §50.2.4), and Medicaid and
 * employer plans likewise terminate eligibility at month end.
 */
export function endOfMonth(date: IsoDate): IsoDate {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

function yearsBefore(date: IsoDate, years: number): IsoDate {
  const [y, m, d] = date.split('-') as [string, string, string];
  const day = m === '02' && d === '29' ? '28' : d;
  return `${String(Number(y) - years).padStart(4, '0')}-${m}-${day}`;
}

/** The age band (outside the coverage plan: by the member's stratified `age` uniform, src/story/strata.ts), then an age uniform in it. */
function chooseAge(rng: Rng, bands: readonly AgeBand[], showcase: Showcase | undefined, strata?: Strata): number {
  const candidates = bands.filter((b) => b.share > 0);
  const want = showcase?.age ?? (showcase?.relationship === 'child' ? { min: 0, max: 17 } : undefined);
  if (want) {
    const fitting = candidates.filter((b) => b.min <= want.max && b.max >= want.min);
    if (fitting.length) {
      const band = rng.weighted(fitting, (b) => b.share);
      return rng.int(Math.max(band.min, want.min), Math.min(band.max, want.max));
    }
  }
  const band = strata ? byUniform(candidates, strata.uniform('age', rng)) : rng.weighted(candidates, (b) => b.share);
  return rng.int(band.min, band.max);
}

/** The band whose slice of [0, 1) (in order, widths by share) holds u. */
function byUniform(bands: readonly AgeBand[], u: number): AgeBand {
  const total = bands.reduce((s, b) => s + b.share, 0);
  let r = u * total;
  for (const b of bands) {
    r -= b.share;
    if (r < 0) return b;
  }
  return bands[bands.length - 1]!;
}

/**
 * Share of Medicare enrollees under 65, entitled by disability or ESRD (CMS Medicare Enrollment
 * Dashboard: about 12-15% of Medicare beneficiaries are under 65).
 */
const UNDER_65_MEDICARE_SHARE = 0.13;

/**
 * Current reason for entitlement of under-65 beneficiaries (CMS OREC/CREC codes 1 DIB, 2 ESRD,
 * 3 DIB and ESRD). Approximation: disability accounts for nearly all under-65 entitlement; ESRD
 * beneficiaries under 65 (USRDS Annual Data Report: a few hundred thousand, most also disabled)
 * are a few percent of them.
 */
const UNDER_65_REASONS: readonly { reason: MedicareEntitlement; share: number }[] = [
  { reason: 'disability', share: 0.95 },
  { reason: 'disability-esrd', share: 0.03 },
  { reason: 'esrd', share: 0.02 },
];

/**
 * Age and reason for entitlement of a Medicare Advantage member: 65 or older by age, or (for a
 * small share, when the profile's age bands include adults under 65) 18-64 entitled by disability
 * or ESRD. Never under 18. A coverage-plan scenario's age range applies where it fits.
 */
function chooseMedicareAge(
  rng: Rng,
  bands: readonly AgeBand[],
  showcase: Showcase | undefined,
): { age: number; entitlement: MedicareEntitlement } {
  const live = bands.filter((b) => b.share > 0);
  const seniors = live.filter((b) => b.max >= 65);
  const adults = live.filter((b) => b.min <= 64 && b.max >= 18);
  const wanted = showcase?.medicareEntitlement;
  const under65 =
    adults.length > 0 &&
    (wanted ? wanted !== 'age' : !seniors.length || (!showcase?.age && rng.chance(UNDER_65_MEDICARE_SHARE)));
  const range = under65 ? { min: 18, max: 64 } : { min: 65, max: 200 };
  const want = showcase?.age;
  const fitsWant = want && want.min <= range.max && want.max >= range.min;
  const lo = fitsWant ? Math.max(range.min, want.min) : range.min;
  const hi = fitsWant ? Math.min(range.max, want.max) : range.max;
  const pool = under65 ? adults : seniors.length ? seniors : live;
  const fitting = pool.filter((b) => b.min <= hi && b.max >= lo);
  const band = rng.weighted(fitting.length ? fitting : pool, (b) => b.share);
  const clamp = (n: number) => Math.min(hi, Math.max(lo, n));
  const age = rng.int(clamp(band.min), clamp(band.max));
  if (!under65) return { age, entitlement: 'age' };
  return { age, entitlement: wanted ?? rng.weighted(UNDER_65_REASONS, (r) => r.share).reason };
}

function chooseRelationship(rng: Rng, age: number, profile: Profile, showcase: Showcase | undefined): Relationship {
  if (age < 18) return 'child';
  if (showcase?.relationship === 'spouse') return 'spouse';
  if (showcase?.relationship === 'child') return age < 26 ? 'child' : 'spouse';
  if (age >= 65 || showcase) return 'self';
  return rng.chance(profile.demographics.dependentShare) ? (age < 26 && rng.chance(0.5) ? 'child' : 'spouse') : 'self';
}

function lookup(codes: readonly { code: string; display: string }[], code: string): { code: string; display: string } {
  return codes.find((c) => c.code === code) ?? { code, display: code };
}
