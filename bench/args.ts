import { parseArgs } from 'node:util';
import { UserError } from '../src/util/errors.js';

/** What `npm run bench -- --help` prints. */
export const BENCH_USAGE = `usage: npm run bench [-- [--sizes N,N…] [--large] [--jobs N,N…] [--ndjson-only] [--generate-only]]
  --sizes N,N…     population sizes of the generate rows (whole numbers ≥ 1; default 1000,10000)
  --large          also 100,000 members (ignored with --sizes)
  --jobs N,N…      generate --jobs of each size's rows, in this order (whole numbers ≥ 1; default 1 and the cores)
  --ndjson-only    the generate rows write NDJSON only, no bundle files (about half the disk: 100,000 members
                   take some 58 GB instead of 128); their rates are not comparable with rows of both formats
  --generate-only  only the generate rows and the stringify ceiling (no validate, serve, seed, sandbox rows)
  --help, -h       this text; nothing is run
Prints one table and writes bench/results.json (see README, Performance).`;

/** The bench's options: the generate sizes in members, each size's --jobs, the formats, and whether to leave out the other rows. */
export interface BenchOptions {
  help: boolean;
  sizes: number[];
  /** `generate --jobs` of each size's rows, in order; undefined: 1 and the machine's cores. */
  jobs?: number[];
  /** The generate rows write NDJSON only (`generate --format ndjson`). */
  ndjsonOnly: boolean;
  generateOnly: boolean;
}

/**
 * Reads `npm run bench`'s arguments (process.argv after the script). Throws UserError naming an unknown option,
 * a missing value or a `--sizes`/`--jobs` entry that is not a whole number ≥ 1, so that nothing is run on a typo.
 */
export function parseBenchArgs(argv: string[]): BenchOptions {
  let values: { help?: boolean; large?: boolean; 'generate-only'?: boolean; 'ndjson-only'?: boolean; sizes?: string; jobs?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        large: { type: 'boolean' },
        'generate-only': { type: 'boolean' },
        'ndjson-only': { type: 'boolean' },
        sizes: { type: 'string' },
        jobs: { type: 'string' },
      },
    }));
  } catch (e) {
    // node:util's messages name the option (capitalised: lower-cased like fhirseed's own); the usage says what to type.
    const first = (e as Error).message.split('\n')[0]!;
    throw new UserError(`${first.charAt(0).toLowerCase()}${first.slice(1)} (see npm run bench -- --help)`);
  }
  const sizes = values.sizes === undefined ? (values.large ? [1000, 10000, 100000] : [1000, 10000]) : wholeNumbers('--sizes', values.sizes, '200,500');
  const jobs = values.jobs === undefined ? undefined : wholeNumbers('--jobs', values.jobs, '2,1');
  return { help: values.help ?? false, sizes, ...(jobs ? { jobs } : {}), ndjsonOnly: values['ndjson-only'] ?? false, generateOnly: values['generate-only'] ?? false };
}

/** `text` as whole numbers ≥ 1, comma-separated; a UserError naming `option` and the first bad entry. */
function wholeNumbers(option: string, text: string, example: string): number[] {
  const parts = text.split(',');
  const bad = parts.find((p) => !/^[1-9]\d*$/.test(p.trim()));
  if (bad !== undefined) throw new UserError(`${option} ${text}: "${bad}" is not a whole number ≥ 1 (e.g. ${option} ${example})`);
  return parts.map(Number);
}
