import type { Condition, Coverage, ExplanationOfBenefit, Patient, Resource } from '@medplum/fhirtypes';
import { coverageBook, type CoverageSpan } from './book.js';
import { CLAIM_TYPES, claimFacts, type ClaimType } from './claims.js';
import { icd10cmGroups } from './conditions.js';
import { CodeCounter } from './codes.js';
import { DetailCollector } from './details.js';
import type { ResolveReference } from './read.js';

/** Everything the report keeps of one member (a few hundred bytes; never the resources themselves). */
export interface MemberAggregate {
  birthDate?: string;
  gender?: string;
  deceasedDate?: string;
  /** State of residence: the Patient's home address's `state` (else its first address's), as written. */
  state?: string;
  coverages: CoverageSpan[];
  /** Per claim type (CLAIM_TYPES order): claims and lines. */
  claims: number[];
  lines: number[];
  /** Admission date → length of stay (one admission per date). */
  admissions: Map<string, number>;
  /** Dates of emergency-department visits. */
  erDates: Set<string>;
  thirtyDayFills: number;
  /** Medical + pharmacy money, dollars. */
  allowed: number;
  paid: number;
  dentalAllowed: number;
  dentalPaid: number;
  /** CONDITION_GROUPS bit mask. */
  conditions: number;
}

/** All member aggregates, plus the service dates that make the window and the distinct codes. */
export interface Aggregates {
  members: Map<string, MemberAggregate>;
  earliestService?: string;
  latestService?: string;
  codes: CodeCounter;
  /** Resources counted per type (each id once). */
  resources: Record<string, number>;
  /** Per-claim dollar histograms, plans and profiles (for the HTML report). */
  details: DetailCollector;
  /** Resources of a counted type seen again under the same id (e.g. in an NDJSON file and a Bundle): counted once. */
  duplicates: number;
  /** Claims counted with at least one ICD-10-CM diagnosis (with the Conditions, what prevalence can be read from). */
  claimsWithDiagnoses: number;
}

const ACTIVE = new Set(['active', 'recurrence', 'relapse']);
const SNOMED = 'http://snomed.info/sct';
const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';

/**
 * Folds resources into per-member aggregates as they stream by: Patient (birth date, sex, death),
 * Coverage (book and period, by beneficiary), ExplanationOfBenefit (by patient) and Condition (by
 * subject; active ones only). Other resources only add to the distinct-code counts.
 * `snomedGroups` maps SNOMED CT concepts to condition groups.
 */
export class MemberCollector {
  readonly result: Aggregates = { members: new Map(), codes: new CodeCounter(), details: new DetailCollector(), resources: {}, duplicates: 0, claimsWithDiagnoses: 0 };
  /**
   * `Type/id` of the counted resources seen more than once (the first copy is the one counted): `repeatedPlaces`
   * reads them again to tell which repeats differ from their first copy.
   */
  readonly repeated = new Set<string>();
  private readonly seen = new Set<string>();

  constructor(private readonly snomedGroups: ReadonlyMap<string, number>) {}

  add(resource: Resource, resolve: ResolveReference = (r) => r): void {
    const counted = ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Condition'].includes(resource.resourceType);
    if (counted && resource.id !== undefined) {
      const key = `${resource.resourceType}/${resource.id}`;
      if (this.seen.has(key)) {
        this.result.duplicates++;
        this.repeated.add(key);
        return;
      }
      this.seen.add(key);
    }
    this.result.resources[resource.resourceType] = (this.result.resources[resource.resourceType] ?? 0) + 1;
    this.result.codes.add(resource);
    this.result.details.resource(resource);
    switch (resource.resourceType) {
      case 'Patient':
        return this.patient(resource);
      case 'Coverage':
        return this.coverage(resource, resolve);
      case 'ExplanationOfBenefit':
        return this.eob(resource, resolve);
      case 'Condition':
        return this.condition(resource, resolve);
    }
  }

  private member(reference: string | undefined, resolve: ResolveReference): MemberAggregate | undefined {
    if (!reference) return undefined;
    const resolved = resolve(reference);
    const match = /(?:^|\/)Patient\/([^/]+?)(?:\/_history\/.*)?$/.exec(resolved);
    return this.get(match ? match[1]! : resolved);
  }

  private get(id: string): MemberAggregate {
    let m = this.result.members.get(id);
    if (!m) {
      m = {
        coverages: [],
        claims: CLAIM_TYPES.map(() => 0),
        lines: CLAIM_TYPES.map(() => 0),
        admissions: new Map(),
        erDates: new Set(),
        thirtyDayFills: 0,
        allowed: 0,
        paid: 0,
        dentalAllowed: 0,
        dentalPaid: 0,
        conditions: 0,
      };
      this.result.members.set(id, m);
    }
    return m;
  }

  private patient(p: Patient): void {
    if (p.id === undefined) return;
    const m = this.get(p.id);
    m.birthDate = p.birthDate?.slice(0, 10);
    m.gender = p.gender;
    if (p.deceasedDateTime) m.deceasedDate = p.deceasedDateTime.slice(0, 10);
    const address = p.address?.find((a) => a.use === 'home' && a.state) ?? p.address?.find((a) => a.state);
    if (address?.state) m.state = address.state;
  }

  private coverage(c: Coverage, resolve: ResolveReference): void {
    if (c.status === 'entered-in-error' || c.status === 'cancelled') return;
    const m = this.member(c.beneficiary?.reference, resolve);
    m?.coverages.push({ book: coverageBook(c), start: c.period?.start?.slice(0, 10), end: c.period?.end?.slice(0, 10) });
  }

  private eob(eob: ExplanationOfBenefit, resolve: ResolveReference): void {
    if (eob.status === 'entered-in-error' || eob.status === 'cancelled') return;
    // A prior authorization or predetermination (PDex `use` preauthorization) is a decision, not a claim.
    if (eob.use && eob.use !== 'claim') return;
    const m = this.member(eob.patient?.reference, resolve);
    const facts = claimFacts(eob);
    if (!m || !facts) return;
    this.result.details.claim(facts);
    const t = CLAIM_TYPES.indexOf(facts.type as ClaimType);
    m.claims[t]!++;
    m.lines[t]! += facts.lines;
    if (facts.type === 'oral') {
      m.dentalAllowed += facts.allowed;
      m.dentalPaid += facts.paid;
    } else {
      m.allowed += facts.allowed;
      m.paid += facts.paid;
    }
    if (facts.admission) {
      const { date, lengthOfStay } = facts.admission;
      m.admissions.set(date, Math.max(lengthOfStay, m.admissions.get(date) ?? 0));
    }
    if (facts.emergency && facts.start) m.erDates.add(facts.start);
    m.thirtyDayFills += facts.thirtyDayFills;
    for (const code of facts.diagnoses) m.conditions |= icd10cmGroups(code);
    if (facts.diagnoses.length) this.result.claimsWithDiagnoses++;
    if (facts.start) {
      const r = this.result;
      if (!r.earliestService || facts.start < r.earliestService) r.earliestService = facts.start;
      if (!r.latestService || facts.start > r.latestService) r.latestService = facts.start;
    }
  }

  private condition(c: Condition, resolve: ResolveReference): void {
    const status = c.clinicalStatus?.coding?.find((x) => x.code)?.code;
    if (!status || !ACTIVE.has(status)) return;
    const m = this.member(c.subject?.reference, resolve);
    if (!m) return;
    for (const coding of c.code?.coding ?? []) {
      if (!coding.code) continue;
      if (coding.system === ICD10CM) m.conditions |= icd10cmGroups(coding.code);
      if (coding.system === SNOMED) m.conditions |= this.snomedGroups.get(coding.code) ?? 0;
    }
  }
}
