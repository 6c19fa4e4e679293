import type { CodeMaps } from '../codemaps/types.js';
import type { LoadOptions } from '../profile/load.js';
import type { GeneratorLimits } from '../profile/types.js';
import { examReason } from './claims/professional.js';
import { vitalBandsCover } from './clinical/vitals-signs.js';
import { ADDRESS_STATES } from './person-source.js';

/** Beyond any human age: the search for the oldest simulated age stops here. */
const AGE_SEARCH_END = 200;

/**
 * What the generator can produce, from the code maps and faker's data, for the profile checks:
 * address states, the oldest age with exam reasons and vital-sign bands for every age up to it,
 * and the race and ethnicity codes of code-maps/tables.json.
 */
export function generatorLimits(codeMaps: CodeMaps): GeneratorLimits {
  const vitals = codeMaps.clinical.labsVitals.vitals;
  let oldestAge = -1;
  while (oldestAge < AGE_SEARCH_END && examReason(codeMaps, oldestAge + 1) && vitalBandsCover(vitals, oldestAge + 1)) oldestAge++;
  const codes = (table: string) => new Set((codeMaps.tables.get(table)?.codes ?? []).map((c) => c.code));
  return { states: ADDRESS_STATES, oldestAge, raceCodes: codes('race'), ethnicityCodes: codes('ethnicity') };
}

/** The options loadProfile needs to check a profile against these code maps and this generator. */
export function profileLoadOptions(codeMaps: CodeMaps): LoadOptions {
  return { conditionKeys: new Set(codeMaps.conditions.keys()), limits: generatorLimits(codeMaps) };
}
