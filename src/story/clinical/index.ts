import { simulateCare } from './care.js';
import { encountersFromClaims } from './encounters.js';
import { simulateLabsVitals } from './labs-vitals.js';
import { simulateMedications } from './medications.js';
import { simulatePlanning } from './planning.js';
import { simulateSocial } from './social.js';
import type { ClinicalFacts, ClinicalInput } from './types.js';

/**
 * The clinical record, after the claims and from the same member generator. The domains run in
 * a fixed order (each draws from the generator in turn), so output stays byte-identical.
 */
export function simulateClinical(input: Omit<ClinicalInput, 'encounters'>): ClinicalFacts {
  const encounters = encountersFromClaims(input.story.claims, input.codeMaps, input.now);
  const full: ClinicalInput = { ...input, encounters };
  return {
    encounters,
    care: simulateCare(full),
    labsVitals: simulateLabsVitals(full),
    medications: simulateMedications(full),
    planning: simulatePlanning(full),
    social: simulateSocial(full),
  };
}
