import { allAgeBands, planUtilization } from '../profile/plan-settings.js';
import type { ClaimType, PlanType, Profile } from '../profile/types.js';
import type { MedicareEntitlement } from './types.js';

/**
 * The coverage plan: the first members of every population are given scenarios that between
 * them show every claim type and the rarer shapes (dependents, denials, out-of-network, a
 * corrected claim, a deceased member), so that even 25 members cover what a server must serve.
 * It depends on the member index only, which keeps shards exact.
 */
export interface Showcase {
  claimTypes: ClaimType[];
  planType?: PlanType;
  dental?: boolean;
  relationship?: 'spouse' | 'child';
  deceased?: boolean;
  denial?: boolean;
  outOfNetwork?: boolean;
  /** The first coverage-plan claim of each type is a corrected (replacement) claim. */
  corrected?: boolean;
  /** The first coverage-plan claim of these types has a denied line (besides the `denial` one). */
  deniedLineIn?: ClaimType[];
  /** The first dental visit includes scaling and root planing of two or three teeth (additional body sites). */
  periodontal?: boolean;
  /** The first coverage-plan claim of these types is priced and reported at claim level. */
  claimLevel?: ClaimType[];
  /**
   * The first coverage-plan claim of these types is priced and reported per line even under a plan that prices them
   * at claim level: a Medicare Advantage admission under a per-diem hospital contract. With `claimLevel` on another
   * scenario, a population with inpatient claims has both shapes CARIN BB 2.0.0 allows an Inpatient Institutional EOB
   * (EOB-institutional-item-or-header-adjudication: amounts at the item or at the header, not both), so each of
   * `adjudication:adjudicationamounttype` and `item.adjudication:adjudicationamounttype`, both must-support, has a value.
   */
  perLine?: ClaimType[];
  /** The first dental visit includes an initial partial denture (prosthesis). */
  denture?: boolean;
  /** The first pharmacy fill is a compound prescription with its ingredients. */
  compound?: boolean;
  /** The first outpatient visit comes by ambulance. */
  ambulance?: boolean;
  /** At least this many professional visits in the period. */
  professionalVisits?: number;
  age?: { min: number; max: number };
  /** Reason for entitlement of a Medicare Advantage member (under 65 unless 'age'). */
  medicareEntitlement?: MedicareEntitlement;
  /** A son named after his father, the subscriber: the same given names and the suffix "Jr.". */
  namesake?: boolean;
  /** A prior authorization request (an MRI) that is denied, or still pended at the period end (src/story/prior-auth.ts). */
  priorAuth?: 'denied' | 'pended';
  /** A CPAP rental approved for its first three months and renewed when it goes on (src/story/prior-auth.ts, rentalShowcase). */
  rental?: boolean;
}

const SCENARIOS: readonly Showcase[] = [
  // The two inpatient scenarios price their admission one each way (perLine here, claimLevel below) whatever plans the
  // population has: a Medicaid or commercial admission is otherwise priced per line, a Medicare Advantage one by MS-DRG.
  { claimTypes: ['inpatient', 'professional', 'pharmacy'], planType: 'commercial', age: { min: 45, max: 64 }, corrected: true, deniedLineIn: ['inpatient'], perLine: ['inpatient'], rental: true },
  { claimTypes: ['outpatient', 'professional'], outOfNetwork: true, ambulance: true, corrected: true, priorAuth: 'denied' },
  { claimTypes: ['pharmacy', 'professional'], corrected: true, compound: true, priorAuth: 'pended' },
  // Ages are at the period start: 16 at most, so that the child is still of orthodontic age (11-17) at the dental visit.
  // A boy named after his father (name suffix "Jr.", which US Core Patient must-supports).
  { claimTypes: ['oral', 'professional'], dental: true, relationship: 'child', age: { min: 11, max: 16 }, corrected: true, namesake: true },
  { claimTypes: ['professional', 'outpatient', 'oral'], relationship: 'spouse', denial: true, dental: true, periodontal: true, deniedLineIn: ['outpatient'], age: { min: 30, max: 64 } },
  { claimTypes: ['professional', 'inpatient'], deceased: true, planType: 'medicare-advantage', age: { min: 70, max: 95 }, claimLevel: ['inpatient'] },
  { claimTypes: ['professional', 'pharmacy', 'outpatient'], planType: 'medicaid', claimLevel: ['outpatient'] },
  { claimTypes: ['pharmacy', 'oral'], denial: true, dental: true, denture: true, age: { min: 60, max: 80 } },
  // An infant seen at several well-child visits: the under-3 growth profiles, with a measure missing at the first.
  { claimTypes: ['professional'], relationship: 'child', age: { min: 0, max: 0 }, professionalVisits: 3 },
  // A Medicare member under 65 entitled by end-stage renal disease: N18.6 and dialysis at the nephrology visits.
  { claimTypes: ['professional', 'outpatient'], planType: 'medicare-advantage', medicareEntitlement: 'esrd', age: { min: 45, max: 64 } },
];

export function showcaseFor(index: number, profile: Profile): Showcase | undefined {
  if (!profile.coveragePlan) return undefined;
  const scenario = SCENARIOS[index];
  if (!scenario) return undefined;
  const planTypes = new Set(profile.plans.map((p) => p.type));
  const medical = profile.plans.some((p) => p.type !== 'dental');
  const dental = planTypes.has('dental');
  const ages = allAgeBands(profile).filter((b) => b.share > 0);
  const fits = (range: { min: number; max: number }) => ages.some((b) => b.min <= range.max && b.max >= range.min);
  return {
    claimTypes: scenario.claimTypes.filter(
      // A type some plan that pays it has a rate for (oral: the dental plans; the rest: the medical ones).
      (t) => profile.plans.some((plan) => (plan.type === 'dental') === (t === 'oral') && planUtilization(profile, plan)[t] > 0),
    ),
    planType: scenario.planType && planTypes.has(scenario.planType) ? scenario.planType : undefined,
    medicareEntitlement: planTypes.has('medicare-advantage') ? scenario.medicareEntitlement : undefined,
    dental: Boolean(scenario.dental && dental),
    relationship: scenario.relationship,
    deceased: scenario.deceased,
    denial: scenario.denial,
    outOfNetwork: scenario.outOfNetwork,
    corrected: scenario.corrected,
    deniedLineIn: scenario.deniedLineIn,
    periodontal: Boolean(scenario.periodontal && dental),
    compound: scenario.compound,
    claimLevel: scenario.claimLevel,
    perLine: scenario.perLine,
    denture: Boolean(scenario.denture && dental),
    ambulance: scenario.ambulance,
    professionalVisits: medical ? scenario.professionalVisits : undefined,
    age: scenario.age && fits(scenario.age) ? scenario.age : undefined,
    namesake: scenario.namesake,
    priorAuth: medical ? scenario.priorAuth : undefined,
    rental: medical && scenario.rental,
  };
}
