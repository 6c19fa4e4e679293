// generate's heap growth (src/util/heap.ts): with worker threads (--jobs > 1) two heaps share one process, whose peak
// RSS is at the 300 MiB goal, so they are let grow less far past their live data (issue 13).
import { describe, expect, it } from 'vitest';
import { GENERATE_HEAP_GROWING_PERCENT, GENERATE_JOBS_HEAP_GROWING_PERCENT, generateHeapGrowingPercent } from '../../src/util/heap.js';

describe('generateHeapGrowingPercent', () => {
  it('should keep 100 % for one thread and 60 % for two threads or more', () => {
    expect(GENERATE_HEAP_GROWING_PERCENT).toBe(100);
    expect(GENERATE_JOBS_HEAP_GROWING_PERCENT).toBe(60);
    expect(generateHeapGrowingPercent(1)).toBe(100);
    expect(generateHeapGrowingPercent(0)).toBe(100);
    expect(generateHeapGrowingPercent(Number.NaN)).toBe(100);
    expect(generateHeapGrowingPercent(2)).toBe(60);
    expect(generateHeapGrowingPercent(8)).toBe(60);
  });
});
