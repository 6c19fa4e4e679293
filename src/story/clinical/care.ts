import type { ClinicalInput } from './types.js';

// Placeholder: the care domain fills this in.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CareFacts {}

export function simulateCare(_input: ClinicalInput): CareFacts {
  return {};
}
