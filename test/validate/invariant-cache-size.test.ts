// The invariant result caches' bound in characters (issue 13): long keys (an EOB line cut to what an invariant reads)
// must not grow a worker's heap without end, whatever the number of entries.
import { describe, expect, it } from 'vitest';
import { InvariantChecker } from '../../src/validate/invariants.js';
import type { CompiledProfile } from '../../src/validate/profile.js';
import type { Terminology } from '../../src/validate/terminology.js';

describe('invariant result caches', () => {
  it('should forget all results at once when their keys pass 2 million characters, and keep each new one', () => {
    const checker = new InvariantChecker({ expand: () => undefined } as unknown as Terminology);
    const profile = { elements: [{ id: 'Patient', path: 'Patient', constraint: [{ key: 'n-1', severity: 'error', expression: "n = 'x'", human: 'h' }] }] } as unknown as CompiledProfile;
    const caches = () => [...(checker as unknown as { caches: Map<string, Map<string, boolean>> }).caches.values()];
    // Keys of 1,028 characters ({"n":"…"}): 1,945 fit in 2 million, the next one starts afresh.
    const nodes = Array.from({ length: 1_946 }, (_, i) => ({ n: `${i}`.padStart(1_020, '0') }));
    const check = (some: unknown[]) => checker.check(profile, {}, () => some as never, () => undefined);
    check(nodes.slice(0, 1_945));
    expect(caches()[0]!.size).toBe(1_945);
    check(nodes.slice(1_945));
    expect(caches()[0]!.size).toBe(1);
  });
});
