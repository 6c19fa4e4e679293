import type { ClinicalInput } from './types.js';

// Placeholder: the labs-vitals domain fills this in.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface LabsVitalsFacts {}

export function simulateLabsVitals(_input: ClinicalInput): LabsVitalsFacts {
  return {};
}
