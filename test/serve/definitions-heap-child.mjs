// Child of r4-definitions.test.ts: indexes R4's definitions as the server thread does (`all`) or as a read worker
// does (`types` T1,T2,…), then prints the heap left in use after a full GC (bytes) and what medplum's schema holds.
import { getSearchParameters, tryGetDataType } from '@medplum/core';
import * as router from '../../src/serve/router.ts';

const [mode, list = ''] = process.argv.slice(2);
if (mode === 'all') router.indexR4Definitions();
else router.indexR4Types(list.split(','));
globalThis.gc();
globalThis.gc();
const probe = ['Patient', 'ExplanationOfBenefit', 'Observation', 'Claim', 'ResearchStudy'];
console.log(JSON.stringify({
  heapUsed: process.memoryUsage().heapUsed,
  definitions: Object.fromEntries(probe.map((t) => [t, tryGetDataType(t)?.kind === 'resource'])),
  searchParameters: Object.fromEntries(probe.map((t) => [t, Object.keys(getSearchParameters(t) ?? {}).length])),
}));
