import { addDays, ageOn, daysBetween, isIsoDate } from '../util/dates.js';
import { closeKeys } from '../util/close-keys.js';
import { checkTargetRows, type TargetBook } from './targets.js';
import { allAgeBands } from './plan-settings.js';
import type { AgeBand, GeneratorLimits, PlanType, Profile, Share } from './types.js';

type Path = (string | number)[];
/** Throws a ProfileError located at path (file:line:column and field). */
export type Fail = (path: Path, problem: string) => never;

/** Earliest period start: members' birth dates (up to 110 years earlier) and condition onsets keep four-digit years. */
export const EARLIEST_PERIOD_START = '1900-01-01';
/** Latest period end. */
export const LATEST_PERIOD_END = '2999-12-31';
/** Shortest period: claims are paid up to 45 days after service and late joiners enrol 30 or more days in. */
export const MIN_PERIOD_DAYS = 90;
/** Longest period, in years. */
export const MAX_PERIOD_YEARS = 10;

/** What checkSemantics checks codes and ages against (LoadOptions). */
export interface SemanticsInput {
  conditionKeys: ReadonlySet<string>;
  limits: GeneratorLimits;
}

/**
 * The checks a JSON Schema cannot express: calendar dates and the period's bounds, sums of shares,
 * codes the generator knows, age bands against the ages the generator simulates, prevalences that
 * can be met. Runs on a profile that passed the schema; the first problem calls `fail`.
 */
export function checkSemantics(p: Profile, input: SemanticsInput, fail: Fail): void {
  checkPeriod(p, fail);
  checkPayer(p, input.limits, fail);
  checkUtilization(p, fail);
  checkPlans(p, fail);
  checkDemographics(p, input.limits, fail);
  checkConditions(p, input, fail);
  checkTargets(p, fail);
}

function checkPeriod(p: Profile, fail: Fail): void {
  const { start, end } = p.period;
  for (const [field, value] of [['start', start], ['end', end]] as const) {
    if (!isIsoDate(value)) fail(['period', field], `'${value}' is not a calendar date (YYYY-MM-DD)`);
  }
  if (start < EARLIEST_PERIOD_START) fail(['period', 'start'], `period start ${start} is before ${EARLIEST_PERIOD_START}, the earliest fhirseed simulates`);
  if (end > LATEST_PERIOD_END) fail(['period', 'end'], `period end ${end} is after ${LATEST_PERIOD_END}, the latest fhirseed simulates`);
  const days = daysBetween(start, end);
  if (days <= 0) fail(['period', 'end'], `period end ${end} must be after start ${start}`);
  if (days + 1 < MIN_PERIOD_DAYS) fail(['period', 'end'], `the period ${start} to ${end} is ${days + 1} days; it must be at least ${MIN_PERIOD_DAYS} (claims are paid up to 45 days after service)`);
  const latest = yearsAfter(start, MAX_PERIOD_YEARS);
  if (end >= latest) fail(['period', 'end'], `the period ${start} to ${end} is longer than ${MAX_PERIOD_YEARS} years; end it before ${latest}`);
}

function checkPayer(p: Profile, limits: GeneratorLimits, fail: Fail): void {
  const state = p.payer.state as string | undefined;
  if (state !== undefined && !limits.states.has(state)) fail(['payer', 'state'], unknownState(state, limits));
}

/** The profile's `emergency` within its `outpatient`, as a plan's: the plans without their own rates use these. */
function checkUtilization(p: Profile, fail: Fail): void {
  const { emergency, outpatient } = p.utilization;
  if (emergency !== undefined && emergency > outpatient) {
    fail(['utilization', 'emergency'], emergencyProblem(emergency, outpatient));
  }
}

function emergencyProblem(emergency: number, outpatient: number): string {
  return `emergency ${emergency} is more than outpatient ${outpatient}, which includes the emergency visits`;
}

function checkPlans(p: Profile, fail: Fail): void {
  const ids = new Set<string>();
  p.plans.forEach((plan, i) => {
    if (ids.has(plan.id)) fail(['plans', i, 'id'], `duplicate plan id '${plan.id}'`);
    ids.add(plan.id);
    const dental = plan.type === 'dental';
    for (const claimType of Object.keys(plan.costSharing.copay ?? {})) {
      if (dental !== (claimType === 'oral')) {
        fail(['plans', i, 'costSharing', 'copay', claimType], dental
          ? `a dental plan pays only oral claims, so it has no ${claimType} copay`
          : `a ${plan.type} plan does not pay oral claims (a dental plan does), so it has no oral copay`);
      }
    }
    if (dental && plan.costSharing.pharmacyTiers) {
      fail(['plans', i, 'costSharing', 'pharmacyTiers'], 'a dental plan pays only oral claims, so it has no pharmacy tiers');
    }
    for (const [tier, cost] of Object.entries(plan.costSharing.pharmacyTiers ?? {})) {
      if ((cost.copay === undefined) === (cost.coinsurance === undefined)) {
        fail(['plans', i, 'costSharing', 'pharmacyTiers', tier], `give the ${tier} tier a copay (dollars) or a coinsurance (0..1), one of the two`);
      }
    }
    for (const field of Object.keys(plan.utilization ?? {})) {
      if (dental !== (field === 'oral')) {
        fail(['plans', i, 'utilization', field], dental
          ? `a dental plan's members have only oral claims, so its utilization gives only oral`
          : `a ${plan.type} plan does not pay oral claims (a dental plan does): give oral in the dental plan's utilization or the profile's`);
      }
    }
    const use = { ...p.utilization, ...plan.utilization };
    const emergency = use.emergency ?? use.outpatient / 5;
    if (!dental && plan.utilization && emergency > use.outpatient) {
      const field = plan.utilization.emergency !== undefined ? 'emergency' : 'outpatient';
      fail(['plans', i, 'utilization', field], emergencyProblem(emergency, use.outpatient));
    }
    if (plan.ageBands) checkAgeBands(plan.ageBands, ['plans', i, 'ageBands'], fail);
    const { deductible, outOfPocketMax } = plan.costSharing;
    if (deductible > outOfPocketMax) {
      fail(['plans', i, 'costSharing', 'deductible'], `deductible ${deductible} is more than outOfPocketMax ${outOfPocketMax}, which includes it`);
    }
  });
  const medical = p.plans.map((plan, i) => ({ plan, i })).filter(({ plan }) => plan.type !== 'dental');
  const dental = p.plans.map((plan, i) => ({ plan, i })).filter(({ plan }) => plan.type === 'dental');
  const sum = (xs: { plan: { share: number } }[]) => xs.reduce((s, x) => s + x.plan.share, 0);
  // A sum is told at its first share, with every share listed: the one edited may be any of them.
  const listed = (xs: { plan: { id: string; share: number } }[]) => sharesListed(xs.map(({ plan }) => [plan.id, plan.share]));
  if (medical.length && Math.abs(sum(medical) - 1) > 0.001) {
    fail(['plans', medical[0]!.i, 'share'], `medical plan shares sum to ${round(sum(medical))}, not 1 ${listed(medical)}`);
  }
  if (dental.length) {
    const total = sum(dental);
    const first = ['plans', dental[0]!.i, 'share'];
    if (!medical.length && Math.abs(total - 1) > 0.001) fail(first, `dental plan shares sum to ${round(total)}, not 1 (a dental-only payer) ${listed(dental)}`);
    if (medical.length && total > 1.001) fail(first, `dental take-up shares sum to ${round(total)}, more than 1 ${listed(dental)}`);
  }
}

function checkDemographics(p: Profile, limits: GeneratorLimits, fail: Fail): void {
  const d = p.demographics as Partial<Profile['demographics']> & Pick<Profile['demographics'], 'ageBands' | 'sex' | 'states'>;
  const lists: [string, Share[] | undefined, ((code: string) => string | undefined)?][] = [
    ['ageBands', d.ageBands as unknown as Share[]],
    ['sex', d.sex],
    ['states', d.states, (code) => (limits.states.has(code) ? undefined : unknownState(code, limits))],
    ['race', d.race, (code) => (limits.raceCodes.has(code) ? undefined : `unknown race code '${code}' (code-maps/tables.json race: ${[...limits.raceCodes].join(', ')})`)],
    ['ethnicity', d.ethnicity, (code) => (limits.ethnicityCodes.has(code) ? undefined : `unknown ethnicity code '${code}' (code-maps/tables.json ethnicity: ${[...limits.ethnicityCodes].join(', ')})`)],
  ];
  for (const [name, list, unknown] of lists) {
    if (!list) continue;
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (item.code === undefined) return;
      const problem = unknown?.(item.code);
      if (problem) fail(['demographics', name, i, 'code'], problem);
      if (seen.has(item.code)) fail(['demographics', name, i, 'code'], `'${item.code}' is listed twice`);
      seen.add(item.code);
    });
    const total = list.reduce((s, x) => s + x.share, 0);
    if (Math.abs(total - 1) > 0.001) {
      const shares = sharesListed(list.map((x) => [name === 'ageBands' ? bandName(x as unknown as AgeBand) : x.code, x.share]));
      fail(['demographics', name, 0, 'share'], `${name} shares sum to ${round(total)}, not 1 ${shares}`);
    }
  }
  checkAgeBands(d.ageBands, ['demographics', 'ageBands'], fail);
  const ages = reachableAges(p);
  if (ages.max > limits.oldestAge) {
    const located = [
      ...d.ageBands.map((b, i) => ({ ...b, path: ['demographics', 'ageBands', i, 'max'] })),
      ...p.plans.flatMap((plan, j) => (plan.ageBands ?? []).map((b, i) => ({ ...b, path: ['plans', j, 'ageBands', i, 'max'] }))),
    ];
    const oldest = located.filter((b) => b.share > 0).reduce((a, b) => (b.max > a.max ? b : a));
    fail(oldest.path,
      `members up to age ${ages.oldestAtStart} at period start would be ${ages.max} by its end ${p.period.end}; ` +
      `fhirseed simulates ages 0-${limits.oldestAge} (exam reasons and vital-sign bands in code-maps): lower this age or shorten the period`);
  }
}

/** Age bands that do not run backwards or overlap; `demographics.ageBands` or a plan's own (their shares sum to 1: checked with the lists). */
function checkAgeBands(list: readonly AgeBand[], at: Path, fail: Fail): void {
  if (at[0] === 'plans') {
    const total = list.reduce((s, x) => s + x.share, 0);
    if (Math.abs(total - 1) > 0.001) fail([...at, 0, 'share'], `ageBands shares sum to ${round(total)}, not 1 ${sharesListed(list.map((b) => [bandName(b), b.share]))}`);
  }
  const bands = list.map((b, i) => ({ ...b, i })).sort((a, b) => a.min - b.min);
  bands.forEach((b, k) => {
    if (b.max < b.min) fail([...at, b.i, 'max'], `age band max ${b.max} is below its min ${b.min}`);
    const next = bands[k + 1];
    if (next && next.min <= b.max) fail([...at, next.i, 'min'], `age band ${next.min}-${next.max} overlaps ${b.min}-${b.max}`);
  });
}

/**
 * Ages (whole years) members can have during the period: from the youngest live age band at the
 * start (of `demographics.ageBands` and the plans' own) to the age at the period's end of the oldest
 * one (65 at least when a Medicare Advantage plan enrols by age).
 */
export function reachableAges(p: Profile): { min: number; max: number; oldestAtStart: number } {
  const live = allAgeBands(p).filter((b) => b.share > 0);
  const medicare = p.plans.some((plan) => plan.type === 'medicare-advantage');
  const min = Math.min(...live.map((b) => b.min));
  const oldestAtStart = Math.max(...live.map((b) => b.max), medicare ? 65 : 0);
  // The oldest member is born the day after their (oldestAtStart + 1)th birthday before the start.
  const born = addDays(yearsAfter(p.period.start, -(oldestAtStart + 1)), 1);
  return { min, max: ageOn(born, p.period.end), oldestAtStart };
}

function checkConditions(p: Profile, input: SemanticsInput, fail: Fail): void {
  checkConditionRows(p, p.conditions, ['conditions'], input, fail);
  const listed = new Set(p.conditions.map((c) => c.key));
  p.plans.forEach((plan, j) => {
    if (!plan.conditions) return;
    const at = ['plans', j, 'conditions'];
    if (plan.type === 'dental') fail(at, 'a dental plan has no condition rows: its members\' conditions follow their medical plan or the profile');
    plan.conditions.forEach((c, i) => {
      if (input.conditionKeys.has(c.key) && !listed.has(c.key)) {
        fail([...at, i, 'key'], `condition '${c.key}' is not in the profile's conditions: a plan's row replaces the profile's row of its key, so list it there too`);
      }
    });
    checkConditionRows(p, plan.conditions, at, input, fail);
  });
}

/** Keys, age bands and sex scaling of a list of condition rows (the profile's or a plan's) at path `at`. */
function checkConditionRows(p: Profile, rows: Profile['conditions'], at: Path, input: SemanticsInput, fail: Fail): void {
  const ages = reachableAges(p);
  const seen = new Set<string>();
  rows.forEach((c, i) => {
    if (!input.conditionKeys.has(c.key)) {
      fail([...at, i, 'key'], unknownConditionKey(c.key, input.conditionKeys));
    }
    if (seen.has(c.key)) fail([...at, i, 'key'], `condition '${c.key}' is listed twice`);
    seen.add(c.key);
    const bands = (c.byAgeBand ?? []).map((b, j) => ({ ...b, j }));
    for (const b of bands) {
      if (b.max < b.min) fail([...at, i, 'byAgeBand', b.j, 'max'], `max ${b.max} is below min ${b.min}`);
      if (b.max < ages.min || b.min > ages.max) {
        fail([...at, i, 'byAgeBand', b.j], `age band ${b.min}-${b.max} is outside the ages members have (${ages.min}-${ages.max}, from the age bands of demographics and the plans, and the period): it never applies`);
      }
    }
    const sorted = [...bands].sort((a, b) => a.min - b.min);
    sorted.forEach((b, k) => {
      const next = sorted[k + 1];
      if (next && next.min <= b.max) fail([...at, i, 'byAgeBand', next.j, 'min'], `age band ${next.min}-${next.max} overlaps ${b.min}-${b.max}`);
    });
    // With both byAgeBand and bySex, a band's prevalence is scaled by bySex / prevalence (src/story/conditions.ts).
    for (const sex of ['female', 'male'] as const) {
      const bySex = c.bySex?.[sex];
      if (bySex === undefined || !bands.length) continue;
      if (c.prevalence === 0 && bySex > 0) {
        fail([...at, i, 'bySex', sex], `bySex scales each age band by ${sex} / prevalence, and prevalence is 0: give the overall prevalence`);
      }
      for (const b of bands) {
        const scaled = c.prevalence === 0 ? 0 : (b.prevalence * bySex) / c.prevalence;
        if (scaled > 1.0005) {
          fail([...at, i, 'bySex', sex],
            `age band ${b.min}-${b.max} prevalence ${b.prevalence} × ${sex} ${bySex} / prevalence ${c.prevalence} = ${round(scaled)}: more than 1, which cannot be met`);
        }
      }
    }
  });
}

/** The report's book for each plan type. */
const PLAN_BOOK: Record<PlanType, TargetBook> = { commercial: 'commercial', 'medicare-advantage': 'medicare', medicaid: 'medicaid', dental: 'dental' };

function checkTargets(p: Profile, fail: Fail): void {
  if (!p.targets) return;
  // The report puts a member in the dental book only without medical coverage: a dental-only payer.
  const medical = p.plans.filter((plan) => plan.type !== 'dental');
  const books = new Set((medical.length ? medical : p.plans).map((plan) => PLAN_BOOK[plan.type]));
  checkTargetRows(p.targets, (i, field, problem) => fail(['targets', i, ...field], problem));
  p.targets.forEach((t, i) => {
    if (t.book !== 'all' && !books.has(t.book)) {
      fail(['targets', i, 'book'], `a target for the ${t.book} book, which this profile has no members in (its books: ${[...books].join(', ')}; dental only for a payer with no medical plan)`);
    }
  });
}

function unknownState(code: string, limits: GeneratorLimits): string {
  return `'${code}' is not a state fhirseed can make addresses for (USPS codes: ${[...limits.states].sort().join(', ')})`;
}

/** The same month and day `years` later, or earlier when negative (28 February for 29 February). */
function yearsAfter(date: string, years: number): string {
  const [y, m, d] = date.split('-') as [string, string, string];
  return `${String(Number(y) + years).padStart(4, '0')}-${m}-${m === '02' && d === '29' ? '28' : d}`;
}

/**
 * `unknown code-map key 'diabetis' (did you mean diabetes-type-2? or diabetes-type-1, …; every key is in
 * code-maps/catalog/conditions.json)`: the close keys (closeKeys), not all 214 on one line.
 */
function unknownConditionKey(key: string, known: ReadonlySet<string>): string {
  const [best, ...others] = closeKeys(key, [...known].sort());
  const where = `the ${known.size} keys are in code-maps/catalog/conditions.json`;
  if (best === undefined) return `unknown code-map key '${key}' (${where})`;
  return `unknown code-map key '${key}' (did you mean ${best}?${others.length ? ` or ${others.join(', ')}` : ''}; ${where})`;
}

/** `(ppo-gold 0.5, hmo-silver 0.25)`: what a sum of shares was made of, in the profile's order. */
function sharesListed(items: readonly (readonly [string, number])[]): string {
  return `(${items.map(([name, share]) => `${name} ${share}`).join(', ')})`;
}

function bandName(b: AgeBand): string {
  return `${b.min}-${b.max}`;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
