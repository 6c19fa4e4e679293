import { describe, expect, it } from 'vitest';
import { buildUsCoreEncounter } from '../../src/fhir/us-core/encounter.js';
import { claimsAsOf, coveragesAsOf, memberAsOf } from '../../src/story/as-of.js';
import { simulateMember } from '../../src/story/simulate.js';
import type { ClaimFact, CoverageFact, MemberFact } from '../../src/story/types.js';
import { addDays } from '../../src/util/dates.js';
import { codeMaps } from '../helpers/output.js';
import { buildContext, defaultStories, directory, profile } from '../helpers/population.js';

/** The first inpatient stay of the default population that lasts at least two nights, and its member. */
function aStay(): { index: number; claim: ClaimFact } {
  for (const story of defaultStories()) {
    const claim = story.claims.find((c) => c.type === 'inpatient' && addDays(c.serviceStart, 2) <= c.serviceEnd);
    if (claim) return { index: story.index, claim };
  }
  throw new Error('the default population has no stay of two nights or more');
}

describe('a stay that spans now', () => {
  const { index, claim } = aStay();
  const now = addDays(claim.serviceStart, 1);
  const story = simulateMember({ profile, codeMaps, directory, now }, index);

  it('should be in flight, not an EOB', () => {
    expect(story.claims.map((c) => c.claimNumber)).not.toContain(claim.claimNumber);
    expect(story.inFlightClaims?.map((c) => c.claimNumber)).toContain(claim.claimNumber);
  });

  it('should be an in-progress Encounter with no end and no discharge', () => {
    const stay = story.clinical.encounters.find((e) => e.claimOrdinals.includes(claim.ordinal))!;
    expect(stay).toMatchObject({ kind: 'inpatient', start: claim.serviceStart, end: now, inProgress: true });
    expect(stay.dischargeStatus).toBeUndefined();
    const encounter = buildUsCoreEncounter(story, stay, buildContext('6.1.0'));
    expect(encounter.status).toBe('in-progress');
    expect(encounter.period).toEqual({ start: claim.serviceStart });
    expect(encounter.hospitalization?.dischargeDisposition).toBeUndefined();
    // The hospital's account number for the stay comes from the claim still in flight.
    expect(encounter.identifier?.[0]?.value).toBe(claim.institutional!.patientAccountNumber);
  });

  it('should have no procedure, test, note or later visit after now', () => {
    const { care, labsVitals, planning, encounters } = story.clinical;
    const dates = [
      ...care.procedures.map((p) => p.date),
      ...labsVitals.labs.map((l) => l.date),
      ...labsVitals.clinicalResults.map((r) => r.date),
      ...labsVitals.vitals.map((v) => v.date),
      ...planning.notes.map((n) => n.date),
      ...planning.reports.map((r) => r.issued),
      ...encounters.map((e) => e.end),
    ];
    expect(dates.filter((d) => d > now)).toEqual([]);
    const stayOrdinal = encounters.find((e) => e.inProgress)!.ordinal;
    expect(planning.notes.map((n) => n.encounterOrdinal)).not.toContain(stayOrdinal);
  });

  it('should be a finished stay at the period end', () => {
    const atEnd = simulateMember({ profile, codeMaps, directory }, index);
    const stay = atEnd.clinical.encounters.find((e) => e.claimOrdinals.includes(claim.ordinal))!;
    expect(stay).toMatchObject({ start: claim.serviceStart, end: claim.serviceEnd });
    expect(stay.inProgress).toBeUndefined();
  });
});

describe('a study done on the day that is now', () => {
  const story = defaultStories().find((s) => s.clinical.planning.reports.length)!;
  const report = story.clinical.planning.reports[0]!;
  const at = (now: string) => simulateMember({ profile, codeMaps, directory, now }, story.index).clinical.planning.reports;

  it('should have no report until the day it is issued', () => {
    expect(at(report.effective).map((r) => r.claimOrdinal)).not.toContain(report.claimOrdinal);
    expect(at(report.issued).map((r) => r.claimOrdinal)).toContain(report.claimOrdinal);
  });
});

describe('claimsAsOf', () => {
  const claim = (serviceStart: string, adjudicated: string, paymentDate: string) =>
    ({ claimNumber: serviceStart, serviceStart, serviceEnd: serviceStart, received: serviceStart, adjudicated, paymentDate }) as ClaimFact;

  it('should keep claims adjudicated by now, without a payment date until paid, and hold the rest in flight', () => {
    const paid = claim('2025-03-01', '2025-03-10', '2025-03-12');
    const unpaid = claim('2025-03-05', '2025-03-14', '2025-03-18');
    const pending = claim('2025-03-10', '2025-03-20', '2025-03-22');
    const future = claim('2025-03-16', '2025-03-30', '2025-04-02');
    const { adjudicated, inFlight } = claimsAsOf([paid, unpaid, pending, future], '2025-03-15');
    const { paymentDate: _paid, ...adjudicatedNotPaid } = unpaid;
    expect(adjudicated).toEqual([paid, adjudicatedNotPaid]);
    expect(adjudicated[1]).not.toHaveProperty('paymentDate');
    expect(inFlight).toEqual([pending]);
  });
});

describe('coveragesAsOf and memberAsOf', () => {
  const coverage = (start: string, end: string) => ({ ordinal: 1, start, end }) as CoverageFact;
  const died = { deceasedDate: '2025-08-10' } as MemberFact;

  it('should leave a death after now unknown: the member alive, the coverage it ends open', () => {
    expect(memberAsOf(died, '2025-06-30')).not.toHaveProperty('deceasedDate');
    expect(coveragesAsOf([coverage('2025-01-01', '2025-08-31')], died, '2025-06-30', '2025-12-31')).toEqual([{ ...coverage('2025-01-01', '2025-08-31'), openEnd: true }]);
  });

  it('should keep a known end: the period end, or the end a death on or before now set', () => {
    expect(memberAsOf(died, '2025-08-10')).toEqual(died);
    expect(coveragesAsOf([coverage('2025-01-01', '2025-08-31')], died, '2025-08-20', '2025-12-31')).toEqual([coverage('2025-01-01', '2025-08-31')]);
    expect(coveragesAsOf([coverage('2025-01-01', '2025-12-31')], {} as MemberFact, '2025-06-30', '2025-12-31')).toEqual([coverage('2025-01-01', '2025-12-31')]);
  });

  it('should leave out a coverage that starts after now', () => {
    expect(coveragesAsOf([coverage('2025-09-01', '2025-12-31')], {} as MemberFact, '2025-06-30', '2025-12-31')).toEqual([]);
  });
});
