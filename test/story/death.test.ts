import fc from 'fast-check';
import type { Coverage, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src/profile/types.js';
import { simulateMember } from '../../src/story/simulate.js';
import { buildDirectory } from '../../src/story/directory.js';
import { randomProfiles } from '../helpers/arbitraries.js';
import { bundleResources, codeMaps, generateTo, shippedProfile, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

/** Random profiles whose population always holds the coverage plan's deceased member (member 5). */
const withDeaths: fc.Arbitrary<Profile> = randomProfiles.map((p) => ({ ...p, coveragePlan: true, members: Math.max(p.members, 6) }));

function population(profile: Profile): Resource[] {
  const t = tempDir();
  temps.push(t.cleanup);
  generateTo(t.dir, profile);
  return bundleResources(t.dir).flatMap((b) => b.resources);
}

/** Every date or dateTime value in the resource, with its path (array positions left out). */
function dates(node: unknown, path: string, out: { path: string; value: string }[] = []): { path: string; value: string }[] {
  if (Array.isArray(node)) node.forEach((n) => dates(n, path, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) dates(v, `${path}.${k}`, out);
  else if (typeof node === 'string' && /^\d{4}-\d{2}-\d{2}/.test(node)) out.push({ path, value: node.slice(0, 10) });
  return out;
}

const endOfMonth = (date: string) => {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/**
 * Dates that may fall after the death, and how far:
 * - record keeping: meta.lastUpdated and Provenance.recorded are when the record was written;
 * - claims run-out: a claim for care before the death is received, adjudicated and paid afterwards
 *   (EOB created, payment date, received date);
 * - Coverage.period.end: eligibility ends at the end of the month of death (payers terminate at month end);
 * - Device.expirationDate: the implant's sterile shelf life, a fact about the product.
 */
const ALLOWED_AFTER_DEATH: Record<string, (value: string, death: string, r: Resource) => boolean> = {
  'meta.lastUpdated': () => true,
  'Provenance.recorded': () => true,
  'ExplanationOfBenefit.created': () => true,
  'ExplanationOfBenefit.payment.date': () => true,
  'ExplanationOfBenefit.supportingInfo.timingDate': () => true,
  'Coverage.period.end': (value, death) => value <= endOfMonth(death),
  'Device.expirationDate': () => true,
  // A study or specimen taken by the death is still read and reported afterwards (planning-notes.ts:
  // radiology the next day, surgical pathology signed out two days later): documentation after death, as the
  // claims are. The report's DocumentReference (US Core Clinical Notes) carries the same dates.
  'DiagnosticReport.issued': reportedAfter,
  'Observation.issued': reportedAfter,
  'DocumentReference.date': reportedAfter,
  'DocumentReference.context.period.end': reportedAfter,
};

/** Longest report turnaround the story simulates, in days: surgical pathology's sign-out. */
const TURNAROUND_DAYS = 2;

function reportedAfter(value: string, death: string, r: Resource): boolean {
  const any = r as { effectiveDateTime?: string; context?: { period?: { start?: string }; related?: { reference?: string }[] } };
  const taken = any.effectiveDateTime ?? any.context?.period?.start;
  const isReport = r.resourceType !== 'DocumentReference' || (any.context?.related ?? []).some((x) => x.reference?.startsWith('DiagnosticReport/'));
  return isReport && taken !== undefined && taken.slice(0, 10) <= death && value <= daysAfter(death, TURNAROUND_DAYS);
}

function daysAfter(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A prior authorization (PDex, EOB `use` preauthorization) decided before the death keeps what it
 * approved as issued: the service and approval periods it names are plans and may run past the death.
 */
const PLANNED_BY_PREAUTH = new Set([
  'ExplanationOfBenefit.billablePeriod.start', 'ExplanationOfBenefit.billablePeriod.end',
  'ExplanationOfBenefit.item.servicedPeriod.start', 'ExplanationOfBenefit.item.servicedPeriod.end',
  'ExplanationOfBenefit.preAuthRefPeriod.end', 'ExplanationOfBenefit.item.extension.valuePeriod.end',
]);
const decidedBefore = (r: Resource, death: string) =>
  r.resourceType === 'ExplanationOfBenefit' && (r as { use?: string }).use === 'preauthorization' && ((r as { created?: string }).created ?? '').slice(0, 10) <= death;

const LIVE_STATUSES = new Set(['active', 'planned', 'proposed', 'draft', 'requested', 'accepted', 'in-progress', 'on-hold', 'arrived', 'triaged', 'ready', 'preparation']);

/**
 * Statuses that may stay as they are after the death:
 * - Coverage and ExplanationOfBenefit status is the status of the financial record (FHIR
 *   FinancialResourceStatusCodes), not of care; the coverage period says when it was in force;
 * - Condition and AllergyIntolerance clinicalStatus are the patient's state as last recorded: FHIR R4
 *   and US Core 6.1.0 define no status for death, and 'resolved'/'inactive' would assert a recovery.
 */
const ALLOWED_LIVE: Record<string, string> = {
  Coverage: 'status',
  ExplanationOfBenefit: 'status',
  Condition: 'clinicalStatus',
  AllergyIntolerance: 'clinicalStatus',
};

function statuses(r: Resource): { field: string; code: string }[] {
  const out: { field: string; code: string }[] = [];
  const any = r as unknown as Record<string, unknown>;
  for (const field of ['status', 'lifecycleStatus']) if (typeof any[field] === 'string') out.push({ field, code: any[field] as string });
  const clinical = any.clinicalStatus as { coding?: { code?: string }[] } | undefined;
  for (const c of clinical?.coding ?? []) if (c.code) out.push({ field: 'clinicalStatus', code: c.code });
  return out;
}

describe('a deceased member', () => {
  it('should have nothing dated after the death but claims run-out, records and coverage to the end of that month, and nothing left active', () => {
    fc.assert(
      fc.property(withDeaths, (profile) => {
        const resources = population(profile);
        const deceased = resources.filter((r): r is Patient => r.resourceType === 'Patient' && Boolean(r.deceasedDateTime));
        expect(deceased.length, 'deceased members').toBeGreaterThan(0);
        for (const patient of deceased) {
          const death = patient.deceasedDateTime!.slice(0, 10);
          const theirs = resources.filter((r) => r.id === patient.id || r.id!.startsWith(`${patient.id}-`));
          // Payers end eligibility at the end of the month of death.
          for (const c of theirs.filter((r): r is Coverage => r.resourceType === 'Coverage')) {
            expect(c.period?.end, `${c.id}`).toBe([endOfMonth(death), profile.period.end].sort()[0]);
          }
          for (const r of theirs) {
            for (const { path, value } of dates(r, r.resourceType)) {
              if (value <= death) continue;
              if (PLANNED_BY_PREAUTH.has(path) && decidedBefore(r, death)) continue;
              const rule = ALLOWED_AFTER_DEATH[path] ?? ALLOWED_AFTER_DEATH[path.slice(path.indexOf('.') + 1)];
              expect(rule?.(value, death, r), `${r.resourceType}/${r.id} ${path} ${value} after death ${death}`).toBe(true);
            }
            for (const { field, code } of statuses(r)) {
              if (ALLOWED_LIVE[r.resourceType] === field) continue;
              expect(LIVE_STATUSES.has(code), `${r.resourceType}/${r.id} ${field} ${code} after death ${death}`).toBe(false);
            }
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  it('should end a hospital stay that reaches the death on the death date, discharged as expired (NUBC 20)', () => {
    // Many admissions a year, so that some run into the coverage plan's death (member 5).
    const base = shippedProfile('default');
    const plans = base.plans.map((plan) => (plan.utilization ? { ...plan, utilization: { ...plan.utilization, inpatient: 12 } } : plan));
    const profile: Profile = { ...base, members: 6, coveragePlan: true, utilization: { ...base.utilization, inpatient: 12 }, plans };
    /** Checks member 5's stays at a seed; returns how many ended in death. */
    const check = (seed: number): number => {
      const p = { ...profile, seed };
      const s = simulateMember({ profile: p, codeMaps, directory: buildDirectory(p, codeMaps) }, 5);
      const death = s.member.deceasedDate!;
      let expired = 0;
      for (const c of s.claims.filter((x) => x.type === 'inpatient')) {
        expect(c.serviceEnd <= death, `${c.claimNumber} ${c.serviceStart}..${c.serviceEnd} death ${death}`).toBe(true);
        expect(c.institutional!.admissionPeriod!.end <= death).toBe(true);
        for (const l of c.lines) expect(l.serviceDate <= death).toBe(true);
        if (c.institutional!.dischargeStatus === '20') {
          expect(c.serviceEnd, `${c.claimNumber} expired`).toBe(death);
          expired++;
        }
      }
      // The discharge summary of a stay that ended in death plans no follow-up.
      for (const e of s.clinical.encounters.filter((x) => x.dischargeStatus === '20')) {
        const note = s.clinical.planning.notes.find((n) => n.encounterOrdinal === e.ordinal && n.kind === 'discharge');
        expect(note?.text).toMatch(/Expired in hospital on \d{4}-\d{2}-\d{2}/);
        expect(note?.text).not.toMatch(/Follow up/);
      }
      return expired;
    };
    const seeds = fc.integer({ min: 0, max: 2 ** 31 - 1 });
    fc.assert(fc.property(seeds, (seed) => void check(seed)), { numRuns: 30 });
    // Whether a stay runs into the death is chance (about one seed in six here; none in 30 seeds failed CI once), so
    // the seeds are walked from a random start until one has such a stay: at most WALK (0.83^300 ≈ 1e-24 to miss).
    const WALK = 300;
    fc.assert(
      fc.property(seeds, (start) => {
        let seed = start;
        while (check(seed) === 0) expect(++seed - start, `no stay ended in death at seeds ${start}..${seed - 1}`).toBeLessThan(WALK);
      }),
      { numRuns: 1, endOnFailure: true },
    );
  });
});
