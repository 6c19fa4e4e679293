import type { DrugTier } from '../../profile/pharmacy-tiers.js';

/** Displays of the Formulary DrugTierCS codes fhirseed uses. */
export const TIER_DISPLAY: Record<DrugTier, string> = {
  'preferred-generic': 'Preferred Generic',
  generic: 'Generic',
  'preferred-brand': 'Preferred Brand',
  'non-preferred-brand': 'Non-preferred Brand',
  specialty: 'Specialty',
};
