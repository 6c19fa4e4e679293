import { parseArgs } from 'node:util';
import { UserError } from '../src/util/errors.js';

/** What `npm run bench -- --help` prints. */
export const BENCH_USAGE = `usage: npm run bench [-- [--sizes N,N…] [--large] [--generate-only]]
  --sizes N,N…     population sizes of the generate rows (whole numbers ≥ 1; default 1000,10000)
  --large          also 100,000 members (ignored with --sizes)
  --generate-only  only the generate rows and the stringify ceiling (no validate, serve, seed, sandbox rows)
  --help, -h       this text; nothing is run
Prints one table and writes bench/results.json (see README, Performance).`;

/** The bench's options: the generate sizes in members, and whether to leave out the other rows. */
export interface BenchOptions {
  help: boolean;
  sizes: number[];
  generateOnly: boolean;
}

/**
 * Reads `npm run bench`'s arguments (process.argv after the script). Throws UserError naming an unknown option,
 * a missing value or a `--sizes` entry that is not a whole number ≥ 1, so that nothing is run on a typo.
 */
export function parseBenchArgs(argv: string[]): BenchOptions {
  let values: { help?: boolean; large?: boolean; 'generate-only'?: boolean; sizes?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { help: { type: 'boolean', short: 'h' }, large: { type: 'boolean' }, 'generate-only': { type: 'boolean' }, sizes: { type: 'string' } },
    }));
  } catch (e) {
    // node:util's messages name the option (capitalised: lower-cased like fhirseed's own); the usage says what to type.
    const first = (e as Error).message.split('\n')[0]!;
    throw new UserError(`${first.charAt(0).toLowerCase()}${first.slice(1)} (see npm run bench -- --help)`);
  }
  let sizes = values.large ? [1000, 10000, 100000] : [1000, 10000];
  if (values.sizes !== undefined) {
    const parts = values.sizes.split(',');
    const bad = parts.find((p) => !/^[1-9]\d*$/.test(p.trim()));
    if (bad !== undefined) throw new UserError(`--sizes ${values.sizes}: "${bad}" is not a whole number ≥ 1 (e.g. --sizes 200,500)`);
    sizes = parts.map(Number);
  }
  return { help: values.help ?? false, sizes, generateOnly: values['generate-only'] ?? false };
}
