import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../util/paths.js';
import { FEWEST_PRACTITIONERS, fewestOrganizations } from './providers.js';
import { reachableAges } from './semantics.js';
import type { AgeBand, ConditionPrevalence, Profile } from './types.js';

type Path = (string | number)[];
/** Records a note located at path (file:line:column and field); the run goes on. */
export type Note = (path: Path, text: string) => void;

/**
 * Out-of-pocket limits of a self-only plan, dollars a plan year, as the shipped profiles cite them: the ACA's 2025
 * limit for commercial plans (HHS Notice of Benefit and Payment Parameters for 2025: $9,200, default.yaml) and CMS's
 * 2025 in-network maximum out-of-pocket (MOOP) limit for Medicare Advantage ($9,350, medicare-advantage.yaml). The
 * limits move each year and grandfathered plans are exempt: a plan above them is noted, not refused.
 */
export const OUT_OF_POCKET_LIMITS = {
  commercial: { dollars: 9200, source: "the ACA's 2025 out-of-pocket limit for a self-only plan (HHS)" },
  'medicare-advantage': { dollars: 9350, source: "CMS's 2025 in-network maximum out-of-pocket (MOOP) limit for Medicare Advantage" },
} as const;

/**
 * What a profile that loads asks for and does not get, or asks for against the field's published limits, told as
 * notes (the run goes on): provider counts below the fewest the directory is built with (raised to it), a condition
 * `prevalence` that `byAgeBand` leaves unused (see unusedPrevalences), ages between two age bands that no member
 * has at the period start, and an `outOfPocketMax` above its plan type's federal limit. `raw` is the profile as
 * written (before defaults), checked by the schema and checkSemantics.
 */
export function profileNotes(raw: Profile, note: Note, text?: string): void {
  const hasDental = raw.plans.some((plan) => plan.type === 'dental');
  const providers = (raw as Partial<Profile>).providers;
  const organizations = fewestOrganizations(hasDental);
  if (providers?.organizations !== undefined && providers.organizations < organizations) {
    note(['providers', 'organizations'],
      `${providers.organizations} is raised to ${organizations}, the fewest the provider directory is built with (a hospital, a clinic, an ambulance service${hasDental ? ' and a dental practice' : ''}; pharmacies are counted apart)`);
  }
  if (providers?.practitioners !== undefined && providers.practitioners < FEWEST_PRACTITIONERS) {
    note(['providers', 'practitioners'],
      `${providers.practitioners} is raised to ${FEWEST_PRACTITIONERS}, the fewest the provider directory is built with (primary care, a specialist, a pharmacist and ${hasDental ? 'a dentist' : 'a second primary-care physician'})`);
  }
  // A shipped profile's own text (`npm start`, `-p default`) has only shipped rows: no need to parse the others.
  if (text === undefined || !isShippedText(text)) unusedPrevalences(raw, note);
  ageBandGaps(raw.demographics.ageBands, ['demographics', 'ageBands'], note);
  raw.plans.forEach((plan, j) => {
    if (plan.ageBands) ageBandGaps(plan.ageBands, ['plans', j, 'ageBands'], note);
    const limit = OUT_OF_POCKET_LIMITS[plan.type as keyof typeof OUT_OF_POCKET_LIMITS] as { dollars: number; source: string } | undefined;
    const max = plan.costSharing.outOfPocketMax;
    if (limit && max > limit.dollars) {
      note(['plans', j, 'costSharing', 'outOfPocketMax'],
        `${max} is above $${limit.dollars.toLocaleString('en-US')}, ${limit.source}; kept as given (limits move each year)`);
    }
  });
}

/**
 * A condition row's `prevalence` is not used when its `byAgeBand` gives a rate for every age members have
 * (reachableAges) and it has no `bySex` (which scales the bands by `bySex / prevalence`): src/story/conditions.ts
 * `prevalenceFor`. The shipped profiles carry such values as the adult or overall rate, so a row whose key and
 * prevalence are a shipped profile's is left alone: the note is for a value someone set expecting it to count. One
 * note, at the first such row, counting the others.
 */
function unusedPrevalences(p: Profile, note: Note): void {
  const ages = reachableAges(p);
  const rows: { path: Path; c: ConditionPrevalence }[] = [
    ...p.conditions.map((c, i) => ({ path: ['conditions', i, 'prevalence'], c })),
    ...p.plans.flatMap((plan, j) => (plan.conditions ?? []).map((c, i) => ({ path: ['plans', j, 'conditions', i, 'prevalence'], c }))),
  ];
  const unused = rows.filter(({ c }) => !c.bySex && covers(c.byAgeBand ?? [], ages.min, ages.max));
  if (!unused.length) return;
  const shipped = shippedPrevalences();
  const set = unused.filter(({ c }) => !shipped.get(c.key)?.has(c.prevalence));
  const [first, ...others] = set;
  if (!first) return;
  const more = others.length ? ` (nor is that of ${others.length} more row${others.length === 1 ? '' : 's'} set so: ${others.slice(0, 3).map((o) => o.c.key).join(', ')}${others.length > 3 ? ', …' : ''})` : '';
  note(first.path,
    `${first.c.prevalence} is not used: byAgeBand gives ${first.c.key} a rate for every age members have (${ages.min}-${ages.max}) and there is no bySex to scale${more}; change the bands' rates`);
}

/** Whether the bands together cover every whole age from min to max. */
function covers(bands: readonly { min: number; max: number }[], min: number, max: number): boolean {
  let next = min;
  for (const b of [...bands].sort((a, b) => a.min - b.min)) {
    if (b.min > next) break;
    next = Math.max(next, b.max + 1);
  }
  return next > max;
}

/** Ages between two of the bands: no member has them at the period start (src/story/enrollment.ts draws ages from the bands). */
function ageBandGaps(bands: readonly AgeBand[], at: Path, note: Note): void {
  const sorted = bands.map((b, i) => ({ ...b, i })).sort((a, b) => a.min - b.min);
  sorted.forEach((b, k) => {
    const next = sorted[k + 1];
    if (!next || next.min <= b.max + 1) return;
    const gap = next.min - 1 === b.max + 1 ? `age ${b.max + 1} is` : `ages ${b.max + 1}-${next.min - 1} are`;
    note([...at, next.i, 'min'], `${gap} in no band (between ${b.min}-${b.max} and ${next.min}-${next.max}): no member has ${next.min - 1 === b.max + 1 ? 'it' : 'them'} at the period start`);
  });
}

let shippedCache: Map<string, Set<number>> | undefined;

const shippedFiles = (): string[] => {
  const dir = join(packageRoot(), 'profiles');
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
};

/** Whether `text` is, byte for byte, one of the shipped profiles (reading five files costs far less than parsing them). */
function isShippedText(text: string): boolean {
  return shippedFiles().some((file) => readFileSync(file, 'utf8') === text);
}

/** Condition key → the prevalences the shipped profiles (profiles/*.yaml) give it, in their rows and their plans'. */
function shippedPrevalences(): Map<string, Set<number>> {
  if (shippedCache) return shippedCache;
  const found = new Map<string, Set<number>>();
  for (const file of shippedFiles()) {
    const p = parse(readFileSync(file, 'utf8')) as Partial<Profile> | null;
    for (const c of [...(p?.conditions ?? []), ...(p?.plans ?? []).flatMap((plan) => plan.conditions ?? [])]) {
      if (!found.has(c.key)) found.set(c.key, new Set());
      found.get(c.key)!.add(c.prevalence);
    }
  }
  shippedCache = found;
  return found;
}
