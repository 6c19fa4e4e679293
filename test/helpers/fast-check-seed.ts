import fc from 'fast-check';

/**
 * vitest setupFiles: `FC_SEED=N` runs every fast-check property of the run from seed N (fc.configureGlobal), to replay
 * a failure (fast-check prints `seed: N, path: "…"` in its message) or to run the any-seed properties at chosen seeds.
 * Unset, each property draws a seed of its own (fast-check's default, from the time and Math.random), printed when it
 * fails. A property that names its own `seed` keeps it. Not an integer: the run stops, naming the variable.
 */
// A property that fails is shrunk by running it again and again; when each run simulates a population, that took over
// ten minutes inside one synchronous test, which no vitest timeout ends (stop 34's CI ran out that way). Every run of a
// property, shrinking included, stops after 100 s, and a property stopped before its runs were done fails.
fc.configureGlobal({ ...fc.readConfigureGlobal(), interruptAfterTimeLimit: 100_000, markInterruptAsFailure: true });

const seed = process.env.FC_SEED;
if (seed !== undefined && seed !== '') {
  if (!/^-?\d+$/.test(seed) || !Number.isSafeInteger(Number(seed))) throw new Error(`FC_SEED=${seed}: not an integer`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) });
}

/**
 * The seed for a file whose properties share one (so each random population is generated once): `FC_SEED` when set,
 * else a fresh one each run (fast-check's own default: the time xor Math.random), as a 32-bit integer.
 */
export function propertySeed(): number {
  return seed !== undefined && seed !== '' ? Number(seed) : Date.now() ^ (Math.random() * 0x100000000);
}
