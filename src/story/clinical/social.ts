import type { ClinicalInput } from './types.js';

// Placeholder: the social domain fills this in.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SocialFacts {}

export function simulateSocial(_input: ClinicalInput): SocialFacts {
  return {};
}
