import type { Plan } from '../../profile/types.js';
import { addDays } from '../../util/dates.js';
import { stableHash, type Rng } from '../../util/rng.js';
import { adjudicateClaim, pharmacyCostSharing, sumAmounts, type Accumulator } from '../adjudication.js';
import type { ClaimFact, LineFact } from '../types.js';
import type { ClaimDraft } from './draft.js';

/**
 * Turns drafts into adjudicated claims: in service order, so that deductible and out-of-pocket
 * accumulate across the member's claims within each plan year; then received, adjudicated and
 * paid dates (service ≤ received ≤ adjudicated ≤ paid). Every claim is kept, even one paid after the
 * period: the run's "now" cuts them afterwards (src/story/as-of.ts), so that a claim's dates and
 * amounts do not depend on now.
 */
export function finalizeClaims(
  rng: Rng,
  memberKey: string,
  drafts: ClaimDraft[],
  plans: ReadonlyMap<number, Plan>,
  corrected: boolean,
): ClaimFact[] {
  const ordered = [...drafts].sort(
    (a, b) => (a.serviceStart < b.serviceStart ? -1 : a.serviceStart > b.serviceStart ? 1 : typeOrder(a) - typeOrder(b)),
  );
  const accumulators = new Map<string, Accumulator>();
  const claims: ClaimFact[] = [];
  // A corrected member's first coverage-plan claim of each type replaces an earlier submission.
  const toCorrect = new Set<ClaimDraft['type']>(corrected ? ['inpatient', 'outpatient', 'professional', 'pharmacy', 'oral'] : []);
  for (const draft of ordered) {
    const plan = plans.get(draft.coverageOrdinal);
    if (!plan) throw new Error(`claim names coverage ${draft.coverageOrdinal}, which the member does not have`);
    const received = addDays(draft.serviceEnd, rng.int(1, 14));
    const adjudicated = addDays(received, rng.int(1, 14));
    const paymentDate = addDays(adjudicated, rng.int(1, 7));
    const year = draft.serviceStart.slice(0, 4);
    const accKey = `${draft.coverageOrdinal}:${year}`;
    const acc = accumulators.get(accKey) ?? { deductibleMet: 0, outOfPocket: 0 };
    accumulators.set(accKey, acc);
    const amounts = adjudicateClaim(
      { type: draft.type, network: draft.network, lines: draft.lines.map((l) => l.price) },
      draft.pharmacy ? pharmacyCostSharing(plan.costSharing, draft.pharmacy.tier) : plan.costSharing,
      acc,
    );
    const lines: LineFact[] = draft.lines.map(({ price: _price, denialReason, ...line }, i) => ({
      ...line,
      // The units the plan allowed: a denied line allows none; institutional lines set theirs when drafted.
      ...(UNIT_PRICED.has(draft.type) && !denialReason && line.allowedUnits === undefined ? { allowedUnits: line.quantity } : {}),
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
      ...(UNIT_PRICED.has(draft.type) ? { patientRecord: patientRecord(memberKey, draft.billingProviderId, ordinal) } : {}),
    };
    if (draft.forced && toCorrect.delete(draft.type)) correct(claim, `${year}${stableHash(`${memberKey}:original:${ordinal}`, 10).toUpperCase()}`);
    claims.push(claim);
  }
  return claims;
}

/** Professional and oral lines are priced per unit and carry the provider's patient record numbers. */
const UNIT_PRICED = new Set<ClaimDraft['type']>(['professional', 'oral']);

/**
 * The provider's numbers for the patient: the medical record number stays the same at one provider
 * across claims, the patient account (control) number is per claim. From hashes, so no draw is taken.
 */
function patientRecord(memberKey: string, providerId: string, ordinal: number): NonNullable<ClaimFact['patientRecord']> {
  const digits = (text: string, n: number) => (parseInt(stableHash(text, 12), 16) % 10 ** n).toString().padStart(n, '0');
  return {
    medicalRecordNumber: `MRN${digits(`${memberKey}:mrn:${providerId}`, 8)}`,
    patientAccountNumber: `PA${digits(`${memberKey}:account:${ordinal}`, 10)}`,
  };
}

/**
 * Makes the claim a replacement of an earlier submission, for the reason each claim type most often
 * has: institutional claims are resubmitted with type of bill frequency 7 (NUBC: replacement of prior
 * claim); pharmacy claims are reversed and rebilled (NCPDP B2 then B1); professional and dental
 * claims are corrected (CMS-1500 box 22 resubmission code 7).
 */
function correct(claim: ClaimFact, replaces: string): void {
  claim.replaces = replaces;
  if (claim.institutional) {
    claim.institutional = { ...claim.institutional, typeOfBill: `${claim.institutional.typeOfBill.slice(0, 3)}7` };
    claim.processNote = `Replacement of prior claim ${replaces} (type of bill frequency 7): the original was submitted with incomplete charges.`;
  } else if (claim.type === 'pharmacy') {
    claim.processNote = `Reversed and rebilled: replaces claim ${replaces}, which was submitted with an incorrect days supply.`;
  } else {
    claim.processNote = `Corrected claim: replaces claim ${replaces}, which was submitted with an incorrect service date.`;
  }
}

const TYPE_ORDER = { inpatient: 0, outpatient: 1, professional: 2, pharmacy: 3, oral: 4 } as const;

function typeOrder(d: ClaimDraft): number {
  return TYPE_ORDER[d.type];
}
