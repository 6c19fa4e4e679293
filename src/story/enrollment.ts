import type { CodeMaps } from '../codemaps/types.js';
import type { AgeBand, Plan, Profile } from '../profile/types.js';
import { addDays, daysBetween, maxDate } from '../util/dates.js';
import type { Rng } from '../util/rng.js';
import { fictionalMbi } from './identifiers.js';
import type { PersonSource } from './person-source.js';
import type { Showcase } from './showcase.js';
import type { CoverageFact, MemberFact, PersonFact, Relationship } from './types.js';

export interface Enrollment {
  member: MemberFact;
  coverages: CoverageFact[];
  /** Plan of each coverage, by ordinal. */
  plans: Map<number, Plan>;
}

/** Who the member is, and which plans cover them when. */
export function enroll(
  rng: Rng,
  people: PersonSource,
  profile: Profile,
  codeMaps: CodeMaps,
  showcase: Showcase | undefined,
): Enrollment {
  const medicalPlans = profile.plans.filter((p) => p.type !== 'dental');
  const dentalPlans = profile.plans.filter((p) => p.type === 'dental');
  const forced = showcase?.planType ? medicalPlans.filter((p) => p.type === showcase.planType) : [];
  const medical = medicalPlans.length ? rng.weighted(forced.length ? forced : medicalPlans, (p) => p.share) : undefined;
  const dentalTakeUp = dentalPlans.reduce((s, p) => s + p.share, 0);
  const dental =
    dentalPlans.length && (!medical || showcase?.dental || rng.chance(dentalTakeUp))
      ? rng.weighted(dentalPlans, (p) => p.share)
      : undefined;

  const age = chooseAge(rng, profile.demographics.ageBands, medical?.type === 'medicare-advantage', showcase);
  const { start: periodStart, end: periodEnd } = profile.period;
  const birthDate = addDays(periodStart, -(age * 365 + rng.int(0, 364)));
  const sex = rng.weighted(profile.demographics.sex, (s) => s.share).code;
  const state = rng.weighted(profile.demographics.states, (s) => s.share).code;
  const relationship = chooseRelationship(rng, age, profile, showcase);
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
    const subSex = relationship === 'spouse' ? (sex === 'female' ? 'male' : 'female') : rng.chance(0.5) ? 'female' : 'male';
    const subAge = relationship === 'spouse' ? Math.max(18, age + rng.int(-5, 5)) : age + rng.int(22, 40);
    const subName = { ...people.name(subSex, true), family: name.family };
    subscriber = {
      name: subName,
      sex: subSex,
      birthDate: addDays(periodStart, -(subAge * 365 + rng.int(0, 364))),
      race, ethnicity, language, address,
      phone: person.phone,
      email: people.email(subName),
    };
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
  if (medical?.type === 'medicare-advantage') member.mbi = fictionalMbi(rng);
  if (medical?.type === 'medicaid') member.medicaidId = `MCD${rng.digits(9)}`;

  // Coverage timeline: most members are enrolled all period; some join late.
  const lateJoin = !showcase && rng.chance(0.12);
  const start = lateJoin ? addDays(periodStart, rng.int(30, Math.max(31, daysBetween(periodStart, periodEnd) - 120))) : periodStart;
  let end = periodEnd;
  if (showcase?.deceased) {
    member.deceasedDate = addDays(start, Math.floor(daysBetween(start, periodEnd) * (0.6 + rng.next() * 0.3)));
    end = member.deceasedDate;
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

function chooseAge(rng: Rng, bands: readonly AgeBand[], medicare: boolean, showcase: Showcase | undefined): number {
  let candidates = bands.filter((b) => b.share > 0);
  const want = showcase?.age ?? (showcase?.relationship === 'child' ? { min: 0, max: 17 } : undefined);
  if (want) {
    const fitting = candidates.filter((b) => b.min <= want.max && b.max >= want.min);
    if (fitting.length) {
      const band = rng.weighted(fitting, (b) => b.share);
      return rng.int(Math.max(band.min, want.min), Math.min(band.max, want.max));
    }
  }
  if (medicare) {
    const seniors = candidates.filter((b) => b.max >= 65);
    if (seniors.length) candidates = seniors;
    const band = rng.weighted(candidates, (b) => b.share);
    return rng.int(Math.max(band.min, 65), Math.max(band.max, 65));
  }
  const band = rng.weighted(candidates, (b) => b.share);
  return rng.int(band.min, band.max);
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
