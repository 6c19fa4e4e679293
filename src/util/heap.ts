import { setFlagsFromString } from 'node:v8';

/**
 * How far (percent) V8 lets a heap grow past what its last full collection kept, once tightened. V8's own
 * factor moves between 1.1 and 4 with how fast it collects; generate and validate churn through resources
 * that die right after being written or checked, so the heap grew to 3–4 times its live data (generate,
 * 300 members: 66 MiB live, 384 MiB peak RSS; 230 MiB with 30 %, the same CPU time within noise).
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * generate's growth percentage: it keeps little live (about 33 MiB: modules, code maps, the directory) and
 * makes its garbage mostly in the young generation, so collecting at 30 % over the live data cost a fifth
 * of its CPU for no lower peak. 1,000 default members, --jobs 1, in one run (load average 31 on 2 cores):
 * 30 % 25.7 CPU seconds and 190 MiB peak RSS, 60 % 23.3 s and 190 MiB, 100 % 21.4 s and 210 MiB, V8's own
 * 21.7 s and 275 MiB (issue 13).
 */
export const GENERATE_HEAP_GROWING_PERCENT = 100;

/**
 * generate's growth percentage with worker threads (`--jobs` > 1): two heaps in one process, whose peak RSS is at the
 * 300 MiB goal. 10,000 default members `--jobs 2` (one run each, load 19–23): 289 MiB at 60 % against 301–308 at 100 %;
 * with the members' bytes released as written (2026-11-30) 303 MiB against 316–325 (issue 13, docs/performance.md).
 */
export const GENERATE_JOBS_HEAP_GROWING_PERCENT = 60;

/** generate's growth percentage for `jobs` threads building members (src/cli/commands/generate.ts). */
export function generateHeapGrowingPercent(jobs: number): number {
  return jobs > 1 ? GENERATE_JOBS_HEAP_GROWING_PERCENT : GENERATE_HEAP_GROWING_PERCENT;
}

/**
 * Makes every heap of this process (worker threads included: V8 flags are process-wide) grow by at most
 * `percent` (default HEAP_GROWING_PERCENT) over its live data between full collections. For the long
 * batch commands (generate, validate), before they start work; `--heap-growing-percent` is read at each
 * collection, so setting it at run time takes effect (measured, issue 13).
 */
export function keepHeapTight(percent = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
