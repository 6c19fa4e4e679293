import type { DrugRow } from '../../codemaps/types.js';
import { addDays } from '../../util/dates.js';
import { formularyEntryOf } from '../formulary.js';
import type { CoverageFact, IsoDate } from '../types.js';
import type { MemberClaimsContext } from './context.js';
import type { ClaimDraft, DraftLine } from './draft.js';
import { tableEntry } from './lines.js';
import { drugFillPrice } from './pricing.js';

export interface Prescription {
  coverage: CoverageFact;
  drug: DrugRow;
  /** Diagnosis the drug treats (pharmacy claims carry none; kept for the clinical view). */
  conditionKey: string;
  firstFill: IsoDate;
  /** Number of fills to make (1 for acute prescriptions). */
  fills: number;
  /** Days one fill lasts; default the drug row's. */
  daysSupply?: number;
  /** Refills a prescription allows; default a year's worth for repeated fills, none for one. */
  refills?: number;
  forced?: boolean;
  deny?: boolean;
}

/** One pharmacy claim per fill: refills on days-supply, a new prescription after the authorized refills. */
export function pharmacyClaims(ctx: MemberClaimsContext, rx: Prescription): ClaimDraft[] {
  const { rng } = ctx;
  const daysSupply = rx.daysSupply ?? rx.drug.daysSupply;
  const refillsAuthorized = rx.refills ?? (rx.fills > 1 ? Math.max(0, Math.round(360 / daysSupply) - 1) : 0);
  // A fill's quantity scales with its days supply when the regimen's differs from the drug row's.
  const quantity = Math.max(1, Math.round((rx.drug.quantity * daysSupply) / rx.drug.daysSupply));
  const prescriber = ctx.pcp;
  const pharmacy = ctx.pharmacy;
  const drafts: ClaimDraft[] = [];
  let date = rx.firstFill;
  let prescriptionNumber = rng.digits(7);
  let refill = 0;
  for (let i = 0; i < rx.fills; i++) {
    if (date > ctx.lastServiceDay || date > rx.coverage.end) break;
    if (refill > refillsAuthorized) {
      refill = 0;
      prescriptionNumber = rng.digits(7);
    }
    const denial = ctx.denial('pharmacy', Boolean(rx.deny) && i === 0);
    const daw = rx.drug.brand && rng.chance(0.3) ? '1' : '0';
    const compound = Boolean(rx.forced && i === 0 && ctx.showcase?.compound);
    drafts.push({
      type: 'pharmacy',
      coverageOrdinal: rx.coverage.ordinal,
      serviceStart: date,
      serviceEnd: date,
      billingProviderId: pharmacy.id,
      prescriberId: prescriber.id,
      network: 'innetwork',
      diagnoses: [],
      procedures: [],
      lines: [{
        serviceDate: date,
        code: { system: 'ndc', code: rx.drug.ndc.code, display: rx.drug.ndc.display, licensed: false },
        modifiers: [],
        quantity,
        diagnosisSequences: [],
        price: {
          ...ctx.price(drugFillPrice(ctx.codeMaps.pricing, { brand: rx.drug.brand, daysSupply }), 'pharmacy', rx.coverage, 'innetwork'),
          preventive: false,
          denial: denial ? { group: denial.group } : undefined,
        },
        denialReason: denial,
        ...(compound ? { ingredients: suspensionIngredients(ctx, rx.drug) } : {}),
      }],
      pharmacy: {
        drugKey: rx.drug.key,
        rxnorm: rx.drug.rxnorm.code,
        ndc: rx.drug.ndc.code,
        daysSupply,
        quantity,
        refillNumber: refill,
        refillsAuthorized,
        dawCode: tableEntry(ctx, 'daw', daw).code,
        brandGeneric: tableEntry(ctx, 'brand-generic', rx.drug.brand ? BRAND : GENERIC).code,
        rxOrigin: tableEntry(ctx, 'rx-origin', rng.chance(0.8) ? ELECTRONIC : WRITTEN).code,
        compound: tableEntry(ctx, 'compound', compound ? COMPOUND : NOT_COMPOUND).code,
        prescriptionNumber,
        tier: formularyEntryOf(ctx.codeMaps, rx.drug).tier,
      },
      forced: rx.forced && i === 0,
    });
    refill++;
    // Refills come a little early or, more often, late: adherence about 85% of days covered (estimate).
    date = addDays(date, daysSupply + rng.int(-2, Math.max(3, Math.round(daysSupply * 0.3))));
  }
  return drafts;
}

// NCPDP field values (Telecommunication Standard): brand/generic indicator 1 = brand, 2 = generic;
// prescription origin 1 = written, 3 = electronic; compound code 1 = not a compound.
const BRAND = '1';
const GENERIC = '2';
const WRITTEN = '1';
const ELECTRONIC = '3';
const NOT_COMPOUND = '1';
const COMPOUND = '2';

/**
 * An oral suspension compounded from the prescribed tablets or capsules, for a member who cannot
 * swallow them: the product itself and a suspending vehicle (with water, which has no NDC).
 */
function suspensionIngredients(ctx: MemberClaimsContext, drug: DrugRow): NonNullable<DraftLine['ingredients']> {
  const vehicle = ctx.codeMaps.tables.get('compound-vehicles')?.codes[0];
  if (!vehicle) throw new Error("code-maps/tables.json has no 'compound-vehicles'");
  return [
    { ndc: drug.ndc.code, display: drug.ndc.display, quantity: drug.quantity, unit: 'each' },
    { ndc: vehicle.code, display: vehicle.display, quantity: VEHICLE_ML, unit: 'mL' },
  ];
}

/** Millilitres of vehicle per fill: half the usual 240 mL dispensed, the rest water. */
const VEHICLE_ML = 120;
