import type { ClaimFact, ConditionFact, CoverageFact, IsoDate, MemberFact } from './types.js';

/**
 * The run's "now" cuts the simulated period: the member's claims are simulated for the whole
 * period (so that a claim's dates do not depend on when one looks), then these functions keep
 * what the payer knows on the day `now` (a date: everything on or before it has happened).
 */

/** The claims as the payer holds them at `now`. */
export interface ClaimsAsOf {
  /**
   * Claims adjudicated on or before now: the EOBs. CARIN BB exports adjudicated claims only (the
   * C4BB EOB's `use` comment: "The CMS rule applies to adjudicated claims"; `outcome` "Expected value
   * is complete"); a claim adjudicated but not yet paid keeps no payment date.
   */
  adjudicated: ClaimFact[];
  /**
   * Claims whose service began on or before now but that are not adjudicated yet (received, or not
   * even billed: a stay that goes on past now). Not EOBs; their visits are in the clinical record.
   */
  inFlight: ClaimFact[];
}

/** Splits a member's claims at now; claims whose service starts after now have not happened and are left out. */
export function claimsAsOf(claims: readonly ClaimFact[], now: IsoDate): ClaimsAsOf {
  const adjudicated: ClaimFact[] = [];
  const inFlight: ClaimFact[] = [];
  for (const claim of claims) {
    if (claim.serviceStart > now) continue;
    if (claim.adjudicated > now) inFlight.push(claim);
    else if (claim.paymentDate !== undefined && claim.paymentDate > now) {
      const { paymentDate: _notYet, ...unpaid } = claim;
      adjudicated.push(unpaid);
    } else adjudicated.push(claim);
  }
  return { adjudicated, inFlight };
}

/** The member at now: a death after now has not happened. */
export function memberAsOf(member: MemberFact, now: IsoDate): MemberFact {
  if (member.deceasedDate === undefined || member.deceasedDate <= now) return member;
  const { deceasedDate: _notYet, ...alive } = member;
  return alive;
}

/**
 * Coverages at now. One that starts after now is not in force yet and is left out (a member who
 * joins later has no Coverage, and so no claims, at now). An end after now is kept when it is known
 * at now: the period end (the end of the enrolment on file, normal in the future) or the end that a
 * death on or before now set. An end set by a death after now is not known yet: the coverage is open.
 * `member` is the member of the whole period (with a death after now, if any).
 */
export function coveragesAsOf(coverages: readonly CoverageFact[], member: MemberFact, now: IsoDate, periodEnd: IsoDate): CoverageFact[] {
  const deathKnown = member.deceasedDate !== undefined && member.deceasedDate <= now;
  return coverages
    .filter((c) => c.start <= now)
    .map((c) => (c.end > now && c.end !== periodEnd && !deathKnown ? { ...c, openEnd: true } : c));
}

/** Conditions with an onset on or before now. */
export function conditionsAsOf(conditions: readonly ConditionFact[], now: IsoDate): ConditionFact[] {
  return conditions.filter((c) => c.onset <= now);
}
