/**
 * Drug tiers of a plan's pharmacy benefit and what a fill costs the member on each. The tier codes are
 * the Da Vinci US Drug Formulary's (DrugTierCS), in the CMS Part D five-tier order: preferred generic,
 * generic, preferred brand, non-preferred brand, specialty.
 */
export const DRUG_TIERS = ['preferred-generic', 'generic', 'preferred-brand', 'non-preferred-brand', 'specialty'] as const;
export type DrugTier = (typeof DRUG_TIERS)[number];

/**
 * What one fill on a tier costs the member: a flat `copay` (dollars, in network the whole member share:
 * deductible and coinsurance do not apply) or a `coinsurance` (0..1 of the allowed amount, after the
 * plan's deductible). A profile gives one of the two per tier (`costSharing.pharmacyTiers`).
 */
export interface TierCost {
  copay?: number;
  coinsurance?: number;
}

/**
 * Multiples of the plan's single pharmacy copay for the tiers a profile leaves out: generics keep it,
 * a preferred brand costs 3×, a non-preferred brand 5× — about the ratios of the average copays of
 * KFF's Employer Health Benefits Survey 2024 (section 9: first-tier $13, second $36, third $66 a fill) —
 * and the specialty tier is 25% coinsurance (specialty tiers are mostly coinsurance, about a quarter
 * of the cost, in the same survey).
 */
const DEFAULT_MULTIPLE: Record<Exclude<DrugTier, 'specialty'>, number> = {
  'preferred-generic': 1,
  generic: 1,
  'preferred-brand': 3,
  'non-preferred-brand': 5,
};
const DEFAULT_SPECIALTY_COINSURANCE = 0.25;

/**
 * The cost of every tier for a plan: the profile's `pharmacyTiers` where given, else derived from its
 * pharmacy copay (`copay.pharmacy`, dollars; 0 when absent) as DEFAULT_MULTIPLE says.
 */
export function pharmacyTierCosts(cost: {
  copay: { pharmacy?: number };
  pharmacyTiers?: Partial<Record<DrugTier, TierCost>>;
}): Record<DrugTier, TierCost> {
  const base = cost.copay.pharmacy ?? 0;
  const given = cost.pharmacyTiers ?? {};
  const derived = (tier: DrugTier): TierCost =>
    tier === 'specialty' ? { coinsurance: DEFAULT_SPECIALTY_COINSURANCE } : { copay: base * DEFAULT_MULTIPLE[tier] };
  return Object.fromEntries(DRUG_TIERS.map((tier) => [tier, given[tier] ?? derived(tier)])) as Record<DrugTier, TierCost>;
}
