import type { CodeMapReader } from './load.js';
import type { ClaimsCodeMaps } from './types.js';

// Placeholder: the labs-vitals domain fills this in (its code-maps/*.json files, row types and checks).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface LabsVitalsCodeMaps {}

export function loadLabsVitalsCodeMaps(_reader: CodeMapReader, _claims: ClaimsCodeMaps): LabsVitalsCodeMaps {
  return {};
}
