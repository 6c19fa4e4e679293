import type { ClinicalInput } from './types.js';

// Placeholder: the planning domain fills this in.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PlanningFacts {}

export function simulatePlanning(_input: ClinicalInput): PlanningFacts {
  return {};
}
