import type { CodeMaps, ConditionRow, DenialRow, ProcedureRow, Side } from '../../codemaps/types.js';
import type { Plan, Profile } from '../../profile/types.js';
import { addDays, ageOn, daysBetween, maxDate, minDate } from '../../util/dates.js';
import type { Rng } from '../../util/rng.js';
import type { PersonSource } from '../person-source.js';
import type { Showcase } from '../showcase.js';
import { bookMultiple, chargeRatio, type Setting } from './pricing.js';
import type {
  ConditionFact, CoverageFact, DiagnosisFact, Directory, IsoDate, MemberFact, PractitionerFact, ProviderKind, ProviderOrgFact,
} from '../types.js';

/** Everything a claim generator needs about the member, built once per member. */
export class MemberClaimsContext {
  readonly pcp: PractitionerFact;
  readonly pharmacy: ProviderOrgFact;
  readonly hospital: ProviderOrgFact;

  constructor(
    readonly rng: Rng,
    readonly people: PersonSource,
    readonly profile: Profile,
    readonly codeMaps: CodeMaps,
    readonly directory: Directory,
    readonly member: MemberFact,
    readonly conditions: ConditionFact[],
    readonly coverages: CoverageFact[],
    readonly plans: ReadonlyMap<number, Plan>,
    readonly showcase: Showcase | undefined,
  ) {
    this.pcp = this.practitioner('primary-care');
    this.pharmacy = this.org('pharmacy');
    this.hospital = this.org('hospital');
  }

  /** Last day a service may fall on so that its claim is adjudicated and paid within the period. */
  get lastServiceDay(): IsoDate {
    const end = addDays(this.profile.period.end, -45);
    return this.member.deceasedDate ? minDate(this.member.deceasedDate, end) : end;
  }

  medicalCoverage(): CoverageFact | undefined {
    return this.coverages.find((c) => c.planType !== 'dental');
  }

  dentalCoverage(): CoverageFact | undefined {
    return this.coverages.find((c) => c.planType === 'dental');
  }

  /** Years of coverage inside the period, for utilization rates. */
  years(coverage: CoverageFact): number {
    return Math.max(0, daysBetween(coverage.start, minDate(coverage.end, this.lastServiceDay)) + 1) / 365;
  }

  /** A service date inside the coverage (and after `notBefore`); forced claims fall early enough to be paid. */
  serviceDate(coverage: CoverageFact, notBefore?: IsoDate): IsoDate | undefined {
    const from = notBefore ? maxDate(coverage.start, notBefore) : coverage.start;
    const to = minDate(coverage.end, this.lastServiceDay);
    const span = daysBetween(from, to);
    if (span < 0) return undefined;
    return addDays(from, this.rng.int(0, span));
  }

  ageOn(date: IsoDate): number {
    return ageOn(this.member.birthDate, date);
  }

  org(kind: ProviderKind): ProviderOrgFact {
    const orgs = this.directory.organizations.filter((o) => o.kind === kind);
    if (orgs.length === 0) throw new Error(`directory has no ${kind}`);
    return this.rng.pick(orgs);
  }

  practitioner(role: PractitionerFact['role']): PractitionerFact {
    const list = this.directory.practitioners.filter((p) => p.role === role);
    const fallback = this.directory.practitioners.filter((p) => p.role === 'primary-care');
    return this.rng.pick(list.length ? list : fallback);
  }

  orgById(id: string): ProviderOrgFact {
    const org = this.directory.organizations.find((o) => o.id === id);
    if (!org) throw new Error(`directory has no organization ${id}`);
    return org;
  }

  conditionRow(fact: ConditionFact): ConditionRow {
    const row = this.codeMaps.conditions.get(fact.key);
    if (!row) throw new Error(`code-maps/conditions.json has no '${fact.key}'`);
    return row;
  }

  /** The diagnosis coding of a member's condition. */
  /** The side the condition's diagnosis code names (M17.11: right), if any. */
  sideOf(fact: ConditionFact | undefined): Side | undefined {
    if (!fact) return undefined;
    const row = this.conditionRow(fact);
    return (row.icd10cm[fact.icd10Index] ?? row.icd10cm[0])?.side;
  }

  diagnosisOf(fact: ConditionFact, sequence: number, role: DiagnosisFact['role']): DiagnosisFact {
    const row = this.conditionRow(fact);
    const icd = row.icd10cm[fact.icd10Index] ?? row.icd10cm[0];
    if (!icd) throw new Error(`condition '${row.key}' has no ICD-10-CM code`);
    return { sequence, icd10cm: icd.code, display: icd.display, role, conditionKey: row.key };
  }

  /** Conditions active on a date (chronic ones from onset; acute ones within 30 days of onset). */
  activeConditions(date: IsoDate): ConditionFact[] {
    return this.conditions.filter((c) => {
      if (c.onset > date) return false;
      return this.conditionRow(c).chronic || daysBetween(c.onset, date) <= 30;
    });
  }

  procedures(use: ProcedureRow['use'], age?: number): ProcedureRow[] {
    return [...this.codeMaps.procedures.values()].filter(
      (p) => p.use === use && (age === undefined || ((p.ageMin ?? 0) <= age && age <= (p.ageMax ?? 200))),
    );
  }

  /** A billed charge around the typical one, in cents. */
  charge(dollars: number): number {
    return Math.round(dollars * 100 * (0.85 + this.rng.next() * 0.4));
  }

  /** Share of billed charges the plan allows, by plan type and network. */
  allowedRatio(coverage: CoverageFact, network: 'innetwork' | 'outofnetwork'): number {
    const [lo, hi] = ALLOWED_RATIO[coverage.planType];
    const ratio = lo + this.rng.next() * (hi - lo);
    return network === 'innetwork' ? ratio : ratio * 0.8;
  }

  /**
   * The price of a line whose allowed amount at Medicare rates is `medicareDollars`: the book's
   * multiple of it (±10% between contracts) as allowed, and a billed charge that is the allowed ×
   * the setting's charge-to-payment ratio (±15%). Out of network the plan allows 80% of that.
   * Returns cents billed and the share of them allowed, as the adjudication takes them.
   */
  price(
    medicareDollars: number,
    setting: Setting | 'pharmacy',
    coverage: CoverageFact,
    network: 'innetwork' | 'outofnetwork',
  ): { submitted: number; allowedRatio: number } {
    const multiple = bookMultiple(this.codeMaps.pricing, coverage.planType, setting === 'pharmacy' ? 'drug' : setting);
    const allowed = medicareDollars * multiple * (0.9 + this.rng.next() * 0.2);
    const ratio = chargeRatio(this.codeMaps.pricing, setting) * (0.85 + this.rng.next() * 0.3);
    const submitted = Math.max(1, Math.round(allowed * ratio * 100));
    return { submitted, allowedRatio: (network === 'innetwork' ? 1 : 0.8) / ratio };
  }

  network(forcedOut: boolean): 'innetwork' | 'outofnetwork' {
    return forcedOut || this.rng.chance(this.profile.claims.outOfNetworkRate) ? 'outofnetwork' : 'innetwork';
  }

  /** Whether a line is denied, and why. */
  denial(claimType: string, forced: boolean): DenialRow | undefined {
    if (!forced && !this.rng.chance(this.profile.claims.denialRate)) return undefined;
    const rows = this.codeMaps.denials.filter((d) => d.claimTypes.includes(claimType));
    return this.rng.pick(rows.length ? rows : this.codeMaps.denials);
  }
}

const ALLOWED_RATIO: Record<CoverageFact['planType'], [number, number]> = {
  commercial: [0.55, 0.8],
  'medicare-advantage': [0.35, 0.55],
  medicaid: [0.25, 0.45],
  dental: [0.6, 0.85],
};
