import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../src/util/paths.js';
import { UserError } from '../src/util/errors.js';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './args.js';
import { currentScheduling, schedulingText } from './scheduling.js';

/**
 * `npm run bench [-- --large]`: generate at 1k and 10k members (100k with --large), each with
 * --jobs 1 and --jobs <cores> (or --jobs N,N…; --ndjson-only for NDJSON alone), each in its own process (its peak RSS is its own); the stringify
 * ceiling on the same resources in the same run; then the validator, the embedded server and the
 * seeder when they are built. Prints one table and writes bench/results.json.
 */
const here = dirname(fileURLToPath(import.meta.url));
const cores = availableParallelism();
/**
 * `--sizes 200,500` for a quick look; `--generate-only` leaves out the other rows; `--help` runs nothing. A bad option
 * is one line on stderr and exit code 2 before anything runs (a typo must not start a half-hour run); only
 * src/cli/bin.ts calls process.exit, so the bench sets process.exitCode and returns.
 */
const options = benchOptions(process.argv.slice(2));
if (options?.help) console.log(BENCH_USAGE);
else if (options) await runBench(options);

function benchOptions(argv: string[]): BenchOptions | undefined {
  try {
    return parseBenchArgs(argv);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    console.error(`bench: ${e.message}`);
    process.exitCode = 2;
    return undefined;
  }
}

/** The generate rows (and the others unless --generate-only): prints the table, writes bench/results.json. */
async function runBench(options: BenchOptions): Promise<void> {
  const sizes = options.sizes;
  const jobsList = [...new Set(options.jobs ?? [1, cores])];
  const scheduling = currentScheduling();
  const results: Record<string, unknown> = { date: new Date().toISOString(), cores, scheduling, loadAverageAtStart: loadavg(), ...(options.ndjsonOnly ? { formats: ['ndjson'] } : {}) };
  const rows: string[][] = [];
  const num = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

  type GenerateResult = Record<string, number>;
  const generateRuns: GenerateResult[] = [];
  for (const members of sizes) {
    // --jobs 1 and --jobs N back to back, so that they see the same load.
    for (const jobs of jobsList) {
      const args = ['--expose-gc', join(here, 'generate-once.js'), String(members), String(jobs)];
      // The ceiling after every row: a moment when the machine was slower (the disk writing back the last row, another
      // process) lowers one measurement, and the ratio divides by the highest, the fastest the machine showed it can go.
      args.push('--ceiling');
      if (options.ndjsonOnly) args.push('--ndjson-only');
      const r = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 })) as GenerateResult;
      r.loadAverage = loadavg()[0]!;
      generateRuns.push(r);
      // Each row as it comes (stderr): a 100,000-member row takes a quarter of an hour or more.
      console.error(`bench: generate ${JSON.stringify(r)}`);
    }
  }
  const ceilings = generateRuns.map((r) => r.ceilingStringifiesPerSecond).filter((c): c is number => c !== undefined);
  const ceiling = ceilings.length ? Math.max(...ceilings) : NaN;
  rows.push(['generate', 'members', 'jobs', 'members/s', 'resources/s', 'MB/s', 'peak RSS MiB', 'ratio', 'load avg']);
  for (const r of generateRuns) {
    // What share of "stringify every resource once on every core" the whole pipeline reaches.
    r.ratioToAllCoreCeiling = r.resourcesPerSecond! / (ceiling * cores);
    rows.push(['', num(r.members!), String(r.jobs), num(r.membersPerSecond!), num(r.resourcesPerSecond!), num(r.mbPerSecond!, 1), num(r.peakRssMiB!), num(r.ratioToAllCoreCeiling, 3), num(r.loadAverage!, 1)]);
  }
  for (const members of sizes) {
    const one = generateRuns.find((r) => r.members === members && r.jobs === 1);
    for (const other of generateRuns.filter((r) => r.members === members && r.jobs !== 1)) {
      if (one) rows.push(['', num(members), `${other.jobs} ÷ 1`, `×${num(other.membersPerSecond! / one.membersPerSecond!, 2)}`, '', '', '', '', '']);
    }
  }
  rows.push(['stringify ceiling', '', '1 core', '', num(ceiling), '', '', `× ${cores} cores = ${num(ceiling * cores)}`, '']);
  if (ceilings.length > 1) rows.push(['', '', '', '', `(highest of ${ceilings.length}: ${ceilings.map((c) => num(c)).join(', ')})`, '', '', '', '']);
  results.generate = generateRuns;
  results.stringifyCeilingPerCore = ceiling;
  results.stringifyCeilingMeasurements = ceilings;

  const others = options.generateOnly ? [] : ([['validate', 'validate.js', 'benchValidate'], ['serve', 'serve.js', 'benchServe'], ['seed', 'seed.js', 'benchSeed'], ['sandbox', 'sandbox.js', 'benchSandbox']] as const);
  for (const [name, file, fn] of others) {
    const path = join(here, file);
    if (!existsSync(path)) continue;
    const mod = (await import(path)) as Record<string, () => Promise<Record<string, number>>>;
    const bench = mod[fn];
    if (!bench) continue;
    const r = await bench();
    results[name] = r;
    rows.push([name, Object.entries(r).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(2)) : v}`).join(', ')]);
  }
  results.loadAverageAtEnd = loadavg();

  const widths = rows.filter((r) => r.length > 2).reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  for (const r of rows) console.log(r.length > 2 ? r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() : `${r[0]!.padEnd(widths[0]!)}  ${r[1]}`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (1, 5, 15 min) on ${cores} cores; ratio = resources/s ÷ (stringify ceiling × cores), target ≥ 0.15`);
  console.log(schedulingText(scheduling));
  if (options.ndjsonOnly) console.log('generate rows: NDJSON only (--ndjson-only), not comparable with rows of both formats');
  const file = join(packageRoot(), 'bench', 'results.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
