import type { ClinicalInput } from './types.js';

// Placeholder: the medications domain fills this in.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MedicationFacts {}

export function simulateMedications(_input: ClinicalInput): MedicationFacts {
  return {};
}
