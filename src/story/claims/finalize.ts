import type { Plan } from '../../profile/types.js';
import { addDays } from '../../util/dates.js';
import { stableHash, type Rng } from '../../util/rng.js';
import { adjudicateClaim, sumAmounts, type Accumulator } from '../adjudication.js';
import type { ClaimFact, IsoDate, LineFact } from '../types.js';
import type { ClaimDraft } from './draft.js';

/**
 * Turns drafts into adjudicated claims: in service order, so that deductible and out-of-pocket
 * accumulate across the member's claims within each plan year; then received, adjudicated and
 * paid dates (service ≤ received ≤ adjudicated ≤ paid ≤ now), dropping claims not yet paid by now.
 */
export function finalizeClaims(
  rng: Rng,
  memberKey: string,
  drafts: ClaimDraft[],
  plans: ReadonlyMap<number, Plan>,
  now: IsoDate,
  corrected: boolean,
): ClaimFact[] {
  const ordered = [...drafts].sort(
    (a, b) => (a.serviceStart < b.serviceStart ? -1 : a.serviceStart > b.serviceStart ? 1 : typeOrder(a) - typeOrder(b)),
  );
  const accumulators = new Map<string, Accumulator>();
  const claims: ClaimFact[] = [];
  let correctedDone = !corrected;
  for (const draft of ordered) {
    const plan = plans.get(draft.coverageOrdinal);
    if (!plan) throw new Error(`claim names coverage ${draft.coverageOrdinal}, which the member does not have`);
    const received = addDays(draft.serviceEnd, rng.int(1, 14));
    const adjudicated = addDays(received, rng.int(1, 14));
    const paymentDate = addDays(adjudicated, rng.int(1, 7));
    if (paymentDate > now) continue;
    const year = draft.serviceStart.slice(0, 4);
    const accKey = `${draft.coverageOrdinal}:${year}`;
    const acc = accumulators.get(accKey) ?? { deductibleMet: 0, outOfPocket: 0 };
    accumulators.set(accKey, acc);
    const amounts = adjudicateClaim(
      { type: draft.type, network: draft.network, lines: draft.lines.map((l) => l.price) },
      plan.costSharing,
      acc,
    );
    const lines: LineFact[] = draft.lines.map(({ price: _price, denialReason, ...line }, i) => ({
      ...line,
      sequence: i + 1,
      amounts: amounts[i]!,
      denial: denialReason
        ? {
            carc: denialReason.carc,
            display: denialReason.display,
            ...(draft.type === 'pharmacy' && denialReason.ncpdpReject ? { ncpdpReject: denialReason.ncpdpReject } : {}),
          }
        : undefined,
    }));
    const denied = lines.filter((l) => l.denial).length;
    const ordinal = claims.length + 1;
    const { forced: _forced, ...facts } = draft;
    const claim: ClaimFact = {
      ...facts,
      ordinal,
      claimNumber: `${year}${stableHash(`${memberKey}:claim:${ordinal}`, 10).toUpperCase()}`,
      lines,
      received,
      adjudicated,
      paymentDate,
      outcome: denied === 0 ? 'paid' : denied === lines.length ? 'denied' : 'partiallypaid',
      payee: draft.network === 'outofnetwork' && rng.chance(0.5) ? 'subscriber' : 'provider',
      totals: sumAmounts(lines.map((l) => l.amounts)),
    };
    if (!correctedDone && draft.forced && draft.type !== 'pharmacy') {
      correctedDone = true;
      claim.replaces = `${year}${stableHash(`${memberKey}:original:${ordinal}`, 10).toUpperCase()}`;
      claim.processNote = `Corrected claim: replaces claim ${claim.replaces}, which was submitted with an incorrect service date.`;
    }
    claims.push(claim);
  }
  return claims;
}

const TYPE_ORDER = { inpatient: 0, outpatient: 1, professional: 2, pharmacy: 3, oral: 4 } as const;

function typeOrder(d: ClaimDraft): number {
  return TYPE_ORDER[d.type];
}
