import { setFlagsFromString } from 'node:v8';

/**
 * V8's interrupt budget for `generate` (bytecode executed before a function is looked at for optimisation by TurboFan):
 * 8 × node 20's default (66 KiB, V8 11.3). A member runs some 700 functions of the story and the FHIR builders, most of
 * them a few times per member, so with the default budget TurboFan kept compiling (and, after "wrong map" deopts,
 * recompiling) them all through a run: in a 2,500-member build on one thread the V8 platform threads' concurrent
 * compiles were 27 % of the process's CPU samples (`perf record -e cpu-clock`), about 2.5 ms per compile, 693
 * compiles in 500 members. With the budget raised, only the code that is really hot gets compiled, and the rest runs
 * in Sparkplug's baseline code, which is nearly as fast for code run a few times per member (issue 13).
 */
export const GENERATE_INTERRUPT_BUDGET = 540_672;

/**
 * Whether this V8 is the one the budget was measured on: V8 11 (node 20). Later V8s tier up through Maglev first,
 * where this budget's effect was not measured, and may not know the flag (V8 prints a line for an unknown flag).
 */
export function tieringMeasuredOn(v8Version: string): boolean {
  return Number.parseInt(v8Version, 10) === 11;
}

/**
 * Lets V8 optimise functions later (GENERATE_INTERRUPT_BUDGET) in this whole process, worker threads started from now
 * on included (V8 flags are process-wide; the budget is read each time a function's budget is reset, so setting it at
 * run time takes effect). For generate, before its worker threads start. On a V8 other than the measured one
 * (`v8Version`, default this process's), nothing is changed. Returns whether the flag was set.
 */
export function tierUpLater(v8Version = process.versions.v8): boolean {
  if (!tieringMeasuredOn(v8Version)) return false;
  setFlagsFromString(`--interrupt-budget=${GENERATE_INTERRUPT_BUDGET}`);
  return true;
}
