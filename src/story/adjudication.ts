import { pharmacyTierCosts, type DrugTier } from '../profile/pharmacy-tiers.js';
import type { ClaimType, CostSharing } from '../profile/types.js';
import type { AdjustmentGroup } from '../codemaps/types.js';
import { dollarsToCents } from '../util/money.js';
import type { Cents, LineAmounts } from './types.js';

/** What a plan has applied so far in one plan year (per member, per coverage). */
export interface Accumulator {
  deductibleMet: Cents;
  outOfPocket: Cents;
}

export interface LineToPrice {
  submitted: Cents;
  /** Share of the billed charge the plan allows (contracted rate / billed). */
  allowedRatio: number;
  /** Preventive services carry no member cost sharing (ACA §2713). */
  preventive: boolean;
  denial?: { group: AdjustmentGroup };
}

export interface ClaimToPrice {
  type: ClaimType;
  network: 'innetwork' | 'outofnetwork';
  lines: LineToPrice[];
}

const ZERO: LineAmounts = {
  submitted: 0, allowed: 0, discount: 0, deductible: 0, copay: 0, coinsurance: 0,
  noncovered: 0, benefit: 0, priorPayerPaid: 0, memberLiability: 0,
};

/**
 * Adjudicates one claim's lines against the plan's cost sharing, updating the accumulator. The
 * claim type's copay comes first (once per claim); an in-network professional, pharmacy or
 * outpatient claim with a copay is copay-only, other claims then meet the deductible and pay
 * coinsurance on the rest.
 * Invariants on every line: submitted ≥ allowed; allowed = benefit + deductible + copay +
 * coinsurance + priorPayerPaid; memberLiability = deductible + copay + coinsurance + noncovered;
 * submitted = allowed + discount + noncovered. Denied lines allow and pay nothing: a provider-
 * liability denial (CO) writes the charge off as discount, a patient-responsibility denial (PR)
 * makes it non-covered. Out-of-network providers may balance-bill the unallowed part.
 */
export function adjudicateClaim(claim: ClaimToPrice, cost: CostSharing, acc: Accumulator): LineAmounts[] {
  const deductibleLimit = dollarsToCents(cost.deductible);
  const oopLimit = dollarsToCents(cost.outOfPocketMax);
  let copayLeft = dollarsToCents(cost.copay[claim.type] ?? 0);
  const coinsuranceRate = claim.network === 'innetwork' ? cost.coinsurance : (cost.outOfNetworkCoinsurance ?? 0.3);
  const copayOnly = copayLeft > 0 && claim.network === 'innetwork';

  return claim.lines.map((line) => {
    const submitted = line.submitted;
    if (line.denial) {
      const patientOwes = line.denial.group === 'PR';
      return finish({
        ...ZERO,
        submitted,
        discount: patientOwes ? 0 : submitted,
        noncovered: patientOwes ? submitted : 0,
      });
    }
    const allowed = Math.min(submitted, Math.round(submitted * line.allowedRatio));
    const unallowed = submitted - allowed;
    const balanceBilled = claim.network === 'outofnetwork' ? unallowed : 0;
    let copay = 0;
    let deductible = 0;
    let coinsurance = 0;
    if (!line.preventive) {
      copay = Math.min(copayLeft, allowed);
      copayLeft -= copay;
      // A visit or prescription with a copay is copay-only in network (the deductible and coinsurance
      // do not apply, as in most PPO/HMO designs); a hospital stay meets them after its copay.
      if (!(copayOnly && COPAY_ONLY.has(claim.type))) {
        deductible = Math.min(Math.max(0, deductibleLimit - acc.deductibleMet), allowed - copay);
        coinsurance = Math.round((allowed - copay - deductible) * coinsuranceRate);
      }
      // The out-of-pocket maximum caps what the member pays in the plan year: coinsurance goes first, then deductible, then copay.
      let over = acc.outOfPocket + copay + deductible + coinsurance - oopLimit;
      if (over > 0) {
        const cut = (value: number) => {
          const c = Math.min(value, over);
          over -= c;
          return value - c;
        };
        coinsurance = cut(coinsurance);
        deductible = cut(deductible);
        copay = cut(copay);
      }
    }
    acc.deductibleMet += deductible;
    acc.outOfPocket += copay + deductible + coinsurance;
    return finish({
      ...ZERO,
      submitted,
      allowed,
      discount: unallowed - balanceBilled,
      noncovered: balanceBilled,
      copay,
      deductible,
      coinsurance,
      benefit: allowed - copay - deductible - coinsurance,
    });
  });
}

/**
 * The cost sharing a pharmacy claim for a drug on `tier` is adjudicated with: the tier's copay as the
 * pharmacy copay (copay-only in network), or, for a coinsurance tier, no copay and the tier's
 * coinsurance after the deductible (see pharmacyTierCosts for the tiers a profile leaves out).
 */
export function pharmacyCostSharing(cost: CostSharing, tier: DrugTier): CostSharing {
  const t = pharmacyTierCosts(cost)[tier];
  if (t.copay !== undefined) return { ...cost, copay: { ...cost.copay, pharmacy: t.copay } };
  return { ...cost, copay: { ...cost.copay, pharmacy: 0 }, coinsurance: t.coinsurance ?? cost.coinsurance };
}

/** Claim types whose in-network copay replaces deductible and coinsurance: office visits, prescriptions, hospital outpatient visits (ER and tests). */
const COPAY_ONLY = new Set<ClaimType>(['professional', 'pharmacy', 'outpatient']);

function finish(a: LineAmounts): LineAmounts {
  return { ...a, memberLiability: a.deductible + a.copay + a.coinsurance + a.noncovered };
}

export function sumAmounts(lines: readonly LineAmounts[]): LineAmounts {
  const total = { ...ZERO };
  for (const l of lines) {
    for (const k of Object.keys(total) as (keyof LineAmounts)[]) total[k] += l[k];
  }
  return total;
}
