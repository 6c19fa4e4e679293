import type { Coverage, Resource } from '@medplum/fhirtypes';
import { coverageBook, type Book } from './book.js';
import type { ClaimFacts } from './claims.js';

/** One bin of a dollar histogram: claims whose amount is ≥ min and < max (max null: no upper bound). */
export interface DollarBin {
  label: string;
  min: number;
  max: number | null;
  claims: number;
}

/** What the HTML report draws beyond the `Report`: all fixed-size aggregates, whatever the population's size. */
export interface ReportDetails {
  /** Per-claim amounts in dollars, every claim type (medical, pharmacy and dental), in fixed bins. */
  distributions: { allowed: DollarBin[]; paid: DollarBin[]; memberLiability: DollarBin[] };
  /** Coverage resources per book and plan (`Coverage.class` of type `plan`: name, else value). */
  plans: { book: Book; plan: string; coverages: number }[];
  /** Resources per type and claimed profile (`meta.profile`; null for none), by type, then most first. */
  profiles: { type: string; profile: string | null; resources: number }[];
}

/** Bin edges in dollars: < $1, $1–25, …, $100k+. */
const EDGES = [0, 1, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000];

function money(n: number): string {
  return n >= 1000 ? `$${n / 1000}k` : `$${n}`;
}

function emptyBins(): DollarBin[] {
  return EDGES.map((min, i) => {
    const max = EDGES[i + 1] ?? null;
    const label = i === 0 ? '< $1' : max === null ? `${money(min)}+` : `${money(min)}–${money(max).slice(1)}`;
    return { label, min, max, claims: 0 };
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function binOf(value: number): number {
  let i = 0;
  while (i + 1 < EDGES.length && value >= EDGES[i + 1]!) i++;
  return i;
}

/** Folds resources (each once) and claim facts into ReportDetails; memory does not grow with members. */
export class DetailCollector {
  private readonly bins = { allowed: emptyBins(), paid: emptyBins(), memberLiability: emptyBins() };
  private readonly plans = new Map<string, { book: Book; plan: string; coverages: number }>();
  private readonly profiles = new Map<string, { type: string; profile: string | null; resources: number }>();

  resource(resource: Resource): void {
    const claimed = resource.meta?.profile?.length ? resource.meta.profile : [null];
    for (const p of claimed) {
      const profile = p === null ? null : p.split('|')[0]!;
      const key = `${resource.resourceType} ${profile ?? ''}`;
      const row = this.profiles.get(key) ?? { type: resource.resourceType, profile, resources: 0 };
      row.resources++;
      this.profiles.set(key, row);
    }
    if (resource.resourceType === 'Coverage') this.coverage(resource);
  }

  claim(facts: ClaimFacts): void {
    this.bins.allowed[binOf(facts.allowed)]!.claims++;
    this.bins.paid[binOf(facts.paid)]!.claims++;
    this.bins.memberLiability[binOf(facts.memberLiability)]!.claims++;
  }

  result(): ReportDetails {
    const copy = (bins: DollarBin[]) => bins.map((b) => ({ ...b }));
    return {
      distributions: { allowed: copy(this.bins.allowed), paid: copy(this.bins.paid), memberLiability: copy(this.bins.memberLiability) },
      plans: [...this.plans.values()].sort((a, b) => b.coverages - a.coverages || cmp(a.plan, b.plan)).map((p) => ({ ...p })),
      profiles: [...this.profiles.values()]
        .sort((a, b) => cmp(a.type, b.type) || b.resources - a.resources || cmp(a.profile ?? '', b.profile ?? ''))
        .map((p) => ({ ...p })),
    };
  }

  private coverage(c: Coverage): void {
    const cls = (c.class ?? []).find((x) => x.type?.coding?.some((t) => t.code === 'plan'));
    const plan = cls?.name ?? cls?.value ?? '(no plan class)';
    const book = coverageBook(c);
    const key = `${book} ${plan}`;
    const row = this.plans.get(key) ?? { book, plan, coverages: 0 };
    row.coverages++;
    this.plans.set(key, row);
  }
}
