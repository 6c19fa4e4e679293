// What R4's definitions cost each thread that indexes them (issue 17: the read workers' memory). Each mode runs in a
// fresh child process (medplum's schema is global to a process): the server thread's `indexR4Definitions`, and a
// read worker's `indexR4Types` for the types its store holds. Before, the parsed files stayed in require's cache and
// medplum's schema kept each definition's narrative: ~64 MB of heap per thread. Two child processes of ~2 s each.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

function indexIn(...args: string[]): { heapUsed: number; definitions: Record<string, boolean>; searchParameters: Record<string, number> } {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', `${here}../seed/helpers/register-ts.mjs`, `${here}definitions-heap-child.mjs`, ...args], { encoding: 'utf8' });
  return JSON.parse(out) as ReturnType<typeof indexIn>;
}

describe('R4 definitions in the global schema', () => {
  let all: ReturnType<typeof indexIn>;
  beforeAll(() => void (all = indexIn('all')), 60_000);

  it('should index every type for the server thread without keeping the files or their narratives (< 32 MB of heap)', () => {
    expect(Object.values(all.definitions).every(Boolean)).toBe(true);
    expect(all.heapUsed).toBeLessThan(32 * 2 ** 20);
  }, 60_000);

  it("should index a read worker's store types only, with every type's search parameters, in less heap", () => {
    const some = indexIn('types', 'Patient,ExplanationOfBenefit,Observation,NotAType');
    expect(some.definitions).toEqual({ Patient: true, ExplanationOfBenefit: true, Observation: true, Claim: false, ResearchStudy: false });
    expect(some.searchParameters).toEqual(all.searchParameters);
    expect(some.heapUsed).toBeLessThan(all.heapUsed - 4 * 2 ** 20);
  }, 60_000);
});
