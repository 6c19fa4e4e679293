import type { ClaimType, PlanType, Profile } from '../profile/types.js';

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
  corrected?: boolean;
  /** The first outpatient visit comes by ambulance. */
  ambulance?: boolean;
  age?: { min: number; max: number };
}

const SCENARIOS: readonly Showcase[] = [
  { claimTypes: ['inpatient', 'professional', 'pharmacy'], age: { min: 45, max: 64 } },
  { claimTypes: ['outpatient', 'professional'], outOfNetwork: true, ambulance: true },
  { claimTypes: ['pharmacy', 'professional'], corrected: true },
  { claimTypes: ['oral', 'professional'], dental: true, relationship: 'child', age: { min: 11, max: 17 } },
  { claimTypes: ['professional', 'outpatient', 'oral'], relationship: 'spouse', denial: true, dental: true },
  { claimTypes: ['professional', 'inpatient'], deceased: true, planType: 'medicare-advantage', age: { min: 70, max: 95 } },
  { claimTypes: ['professional', 'pharmacy', 'outpatient'], planType: 'medicaid' },
  { claimTypes: ['pharmacy', 'oral'], denial: true, dental: true },
];

export function showcaseFor(index: number, profile: Profile): Showcase | undefined {
  if (!profile.coveragePlan) return undefined;
  const scenario = SCENARIOS[index];
  if (!scenario) return undefined;
  const planTypes = new Set(profile.plans.map((p) => p.type));
  const medical = profile.plans.some((p) => p.type !== 'dental');
  const dental = planTypes.has('dental');
  const ages = profile.demographics.ageBands.filter((b) => b.share > 0);
  const fits = (range: { min: number; max: number }) => ages.some((b) => b.min <= range.max && b.max >= range.min);
  return {
    claimTypes: scenario.claimTypes.filter(
      (t) => profile.utilization[t] > 0 && (t === 'oral' ? dental : medical),
    ),
    planType: scenario.planType && planTypes.has(scenario.planType) ? scenario.planType : undefined,
    dental: Boolean(scenario.dental && dental),
    relationship: scenario.relationship,
    deceased: scenario.deceased,
    denial: scenario.denial,
    outOfNetwork: scenario.outOfNetwork,
    corrected: scenario.corrected,
    ambulance: scenario.ambulance,
    age: scenario.age && fits(scenario.age) ? scenario.age : undefined,
  };
}
