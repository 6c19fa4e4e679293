import type { CodeMapReader } from './load.js';
import type { ClaimsCodeMaps } from './types.js';

// Placeholder: the planning domain fills this in (its code-maps/*.json files, row types and checks).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PlanningCodeMaps {}

export function loadPlanningCodeMaps(_reader: CodeMapReader, _claims: ClaimsCodeMaps): PlanningCodeMaps {
  return {};
}
