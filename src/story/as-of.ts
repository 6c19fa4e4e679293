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
 * joins later has no Coverage, and so no claims, at now). A coverage running to the period end keeps
 * that end: it is the end of the enrolment on file, a planned end, normal in the future. An end for
 * another reason (a death) after now is not known yet, so that coverage is open-ended.
 */
export function coveragesAsOf(coverages: readonly CoverageFact[], now: IsoDate, periodEnd: IsoDate): CoverageFact[] {
  return coverages
    .filter((c) => c.start <= now)
    .map((c) => (c.end > now && c.end !== periodEnd ? { ...c, openEnd: true } : c));
}

/** Conditions with an onset on or before now. */
export function conditionsAsOf(conditions: readonly ConditionFact[], now: IsoDate): ConditionFact[] {
  return conditions.filter((c) => c.onset <= now);
}
