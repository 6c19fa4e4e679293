import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { COMMAND_HEADINGS } from './headings.js';
import { loadCodeMaps } from '../../codemaps/load.js';
import { checkArchiveTarget, writeArchive } from '../../output/archive.js';
import { CONFIRM_ABOVE_BYTES, estimateBytes, formatBytes } from '../../output/estimate.js';
import { CLI_OPTION_NAMES, generateAsync, shardRange, startMemberThreads, type Manifest } from '../../output/generate.js';
import type { MemberThreads } from '../../output/workers.js';
import { DEFAULT_MAX_BUNDLE_ENTRIES } from '../../output/split.js';
import { checkFormats } from '../../output/options-check.js';
import { checkOutputTarget, freeBytes, isInside } from '../../output/target.js';
import type { OutputFormat, Shard } from '../../output/writer.js';
import { IG_NAMES, parseIgOption, US_CORE_VERSIONS, type IgName, type UsCoreVersion } from '../../profile/igs.js';
import { loadProfile } from '../../profile/load.js';
import { profileLoadOptions } from '../../story/limits.js';
import { closeKeys } from '../../util/close-keys.js';
import { UserError } from '../../util/errors.js';
import { generateHeapGrowingPercent, keepHeapTight } from '../../util/heap.js';
import { tierUpLater } from '../../util/tiering.js';
import { checkNow, futureNowNote } from '../../util/now.js';
import { packageRoot } from '../../util/paths.js';
import { checkRunId } from '../../util/run-id.js';
import { beforeForcedExit, interruptSignal } from '../interrupt.js';
import { generatePlacedInterrupted } from '../../output/interrupted.js';
import { cappedJobs, jobsNote, wholeNumberOption } from '../numbers.js';
import { progressReporter } from '../progress.js';
import type { CommandContext } from '../run.js';
import { plural } from '../../util/plural.js';

/** The generation options, shared by `generate` and `start`. Numbers are strings: parsed by us, echoed as typed. */
export interface GenerateArgs extends CommandContext {
  profile: string;
  members?: string;
  seed?: string;
  out: string;
  shard?: string;
  format: string;
  'run-id'?: string;
  now?: string;
  'us-core'?: UsCoreVersion;
  archive?: string;
  'max-bundle-entries'?: string;
  jobs?: string;
  pretty?: boolean;
  yes: boolean;
}

/**
 * Declares the generation options on a yargs builder: `generate` takes them all, `start` too
 * (with its own wording of --out).
 */
export function generateOptions<T>(yargs: Argv<T>, outDescription = 'Output directory'): Argv<T> {
  return yargs
    .option('profile', { alias: 'p', type: 'string', default: 'default', describe: 'Profile name in profiles/ or a path to a YAML profile' })
    .option('members', { alias: 'n', type: 'string', describe: 'Override the profile member count' })
    .option('seed', { alias: 's', type: 'string', describe: 'Override the profile seed' })
    .option('out', { alias: 'o', type: 'string', default: 'output', describe: outDescription })
    .option('shard', { type: 'string', describe: 'Generate only shard i of N (i/N), e.g. 2/4' })
    .option('format', { type: 'string', default: 'bundles,ndjson', describe: 'Comma-separated: bundles, ndjson' })
    .option('run-id', { type: 'string', describe: 'Run id in every resource tag (default <profile>-<seed>): letters, digits, . _ -' })
    .option('now', { type: 'string', describe: 'The run\'s "now", YYYY-MM-DD, not before the profile period start (default: period end)' })
    .option('archive', { type: 'string', describe: 'Also pack the output into this .tar.gz (or .tgz) outside --out, ready for developers to download' })
    .option('us-core', { choices: US_CORE_VERSIONS, describe: "US Core version of the clinical layer (default: the profile's usCore, else 6.1.0)" })
    .option('max-bundle-entries', { type: 'string', describe: `Entries per bundle file at most; a larger member is split across files (default ${DEFAULT_MAX_BUNDLE_ENTRIES})` })
    .option('jobs', { alias: 'j', type: 'string', describe: 'Threads building members: the main thread, which also writes, and N − 1 worker threads (default: the number of cores; --jobs 1 uses one core and less memory; at most the cores: more is lowered, with a note); the output is the same bytes for any value' })
    .option('pretty', { type: 'boolean', default: false, describe: 'Indent the bundle files (default compact, one line each)' })
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Go ahead with an output estimated above 5 GB or above the free disk space' });
}

export const generateCommand: CommandModule<CommandContext, GenerateArgs & { ig?: string[] }> = {
  ...COMMAND_HEADINGS.generate,
  // --ig is generate's own: on `start` it is serve's --validate option (IG packages to check against).
  builder: (yargs: Argv<CommandContext>) =>
    generateOptions(yargs).option('ig', {
      type: 'string',
      array: true,
      describe: `IGs to emit, repeatable or a comma list of ${IG_NAMES.join(', ')} (default: the profile's igs, else all)`,
    }) as unknown as Argv<GenerateArgs & { ig?: string[] }>,
  handler: async (argv) => {
    // --jobs > 1 holds two heaps in one process: grown less far (a bad --jobs is runGenerate's one line).
    keepHeapTight(generateHeapGrowingPercent(argv.jobs === undefined ? defaultGenerateJobs(availableParallelism()) : Number(argv.jobs)));
    // TurboFan compiles only what is really hot, before the worker threads start (src/util/tiering.ts, issue 13).
    tierUpLater();
    const selection = argv.ig === undefined ? undefined : parseIgOption(argv.ig, argv['us-core']);
    // us-core@VERSION is --us-core VERSION.
    if (selection?.usCore) argv['us-core'] = selection.usCore;
    await runGenerate(argv, selection?.igs);
  },
};

/**
 * generate's `--jobs` when none is given: one thread building members per core that `os.availableParallelism()`
 * reports (`cores`), at least 1 (issue 13: "the number of cores"). On 2 cores, 10,000 default members `--jobs 2`
 * peaked at 285.5–287.8 MiB in three runs and 1,000 at 257.5 MiB (2026-12-01, load 16–19; goal < 300), and made
 * ×1.27 the resources a second of `--jobs 1` (npm run bench).
 */
export function defaultGenerateJobs(cores: number): number {
  return Math.max(1, cores);
}

/**
 * Checks every generation option (before any work: numbers, run id, archive path, --out, --now,
 * the estimated size against 5 GB and the free space unless --yes), then generates with a progress
 * bar, Ctrl-C/SIGTERM leaving --out as it was (Interrupted, exit 130) until the new output is in place, and prints one
 * summary line; a signal after that (the worker threads closing) ends the process with a line saying the new output is
 * in place (generatePlacedInterrupted; bin.ts's exit 130).
 */
export async function runGenerate(argv: GenerateArgs, igs?: IgName[]): Promise<Manifest> {
  const ahead: Ahead = {};
  try {
    return await checkAndGenerate(argv, ahead, igs);
  } finally {
    await ahead.threads?.close();
    ahead.placed?.();
  }
}

/**
 * What runGenerate ends once checkAndGenerate returns or throws: the worker threads it started ahead, and, once the
 * output is in place, the hook that says so to a signal that ends the process meanwhile.
 */
interface Ahead {
  threads?: MemberThreads;
  placed?: () => void;
}

/** runGenerate, with the worker threads it starts ahead in `ahead` (closed by runGenerate, whatever happens). */
async function checkAndGenerate(argv: GenerateArgs, ahead: Ahead, igs?: IgName[]): Promise<Manifest> {
  const members = wholeNumberOption('--members', argv.members, { min: 1 });
  const seed = wholeNumberOption('--seed', argv.seed);
  const maxBundleEntries = wholeNumberOption('--max-bundle-entries', argv['max-bundle-entries'], { min: 1 });
  const askedJobs = wholeNumberOption('--jobs', argv.jobs, { min: 1 });
  const jobs = askedJobs === undefined ? defaultGenerateJobs(availableParallelism()) : cappedJobs(askedJobs, availableParallelism());
  if (argv['run-id'] !== undefined) checkRunId(argv['run-id'], '--run-id');
  const formats = parseFormats(argv.format);
  const shard = argv.shard === undefined ? undefined : parseShard(argv.shard);
  if (argv.archive !== undefined) checkArchivePath(argv.archive, argv.out);
  if (argv.now === '') throw new UserError("--now '': expected a date YYYY-MM-DD");
  const existing = checkOutputTarget(argv.out);
  // The worker threads load their modules while this thread reads the code maps and the profile (issue 13).
  if (jobs > 1) ahead.threads = startMemberThreads(jobs - 1);
  const codeMaps = loadCodeMaps();
  const file = resolveProfile(argv.profile);
  const notes: string[] = [];
  const profile = loadProfile(file, profileLoadOptions(codeMaps), (note) => notes.push(`fhirseed: ${note}\n`));
  if (members !== undefined) profile.members = members;
  if (seed !== undefined) profile.seed = seed;
  if (argv.now !== undefined) checkNow(argv.now, profile.period);
  const { first, end } = shardRange(profile.members, shard);
  if (!argv.yes) checkSize(end - first, formats, existing);
  // Told only now that every option passed: a mistake stays one line.
  if (askedJobs !== undefined && jobs < askedJobs) argv.io.stderr(jobsNote(askedJobs, jobs));
  for (const note of notes) argv.io.stderr(note);
  const future = argv.now === undefined ? undefined : futureNowNote(argv.now, new Date().toISOString().slice(0, 10));
  if (future) argv.io.stderr(future);
  const progress = progressReporter(argv.io, 'members', { label: 'generate: wrote', unit: 'members' });
  const interrupt = interruptSignal();
  // The archive is packed from the finished temporary directory, before it replaces --out: an
  // archive that cannot be written then leaves the earlier output in place. A shard is packed after it
  // moved in, with the other shards already there.
  const packShard = argv.archive !== undefined && shard !== undefined && shard.count > 1;
  let packed: { files: number; bytes: number } | undefined;
  let manifest: Manifest;
  // Said once the progress line is gone: what putting the output in place removed (the earlier sandbox store).
  const placeNotes: string[] = [];
  try {
    manifest = await generateAsync({
      profile,
      profileFile: argv.profile,
      out: argv.out,
      formats,
      shard,
      runId: argv['run-id'],
      now: argv.now,
      usCoreVersion: argv['us-core'],
      igs,
      codeMaps,
      maxBundleEntries,
      pretty: argv.pretty,
      jobs,
      threads: ahead.threads,
      onProgress: progress.update,
      onNote: (note) => placeNotes.push(`fhirseed: ${note}\n`),
      signal: interrupt.signal,
      beforePlace: argv.archive === undefined || packShard ? undefined : (dir, m) => (packed = writeArchive(dir, argv.archive!, `fhirseed-${m.runId}`)),
    }, CLI_OPTION_NAMES);
    // Returned, the output is in place: a signal from here on (the threads started ahead closing, in runGenerate) meets
    // bin.ts's fallback, whose own line is the one for a run that kept nothing.
    ahead.placed = beforeForcedExit(() => generatePlacedInterrupted(argv.out));
  } finally {
    interrupt.release();
    progress.stop();
  }
  for (const note of placeNotes) argv.io.stderr(note);
  const total = Object.values(manifest.counts.byType).reduce((a, b) => a + b, 0);
  argv.io.stdout(
    `fhirseed: wrote ${manifest.members.written} ${plural(manifest.members.written, 'member')}, ${total} ${plural(total, 'resource')} to ${argv.out} (profile ${profile.name}, seed ${profile.seed}, run ${manifest.runId})\n`,
  );
  if (packShard) packed = writeArchive(argv.out, argv.archive!, `fhirseed-${manifest.runId}`);
  if (packed) {
    argv.io.stdout(`fhirseed: packed ${packed.files} ${plural(packed.files, 'file')} into ${argv.archive} (${(packed.bytes / 1024).toFixed(0)} KiB)\n`);
  }
  return manifest;
}

/** --archive: a .tar.gz/.tgz name, outside --out (inside, the next run would find it a foreign file). */
function checkArchivePath(archive: string, out: string): void {
  if (isInside(archive, out)) throw new UserError(`--archive ${archive}: inside --out ${out}; put the archive outside the output directory`);
  checkArchiveTarget(archive);
}

/** Refuses (unless --yes) an output estimated above 5 GB or above the free space where it goes. */
function checkSize(members: number, formats: OutputFormat[], dir: string): void {
  const bytes = estimateBytes(members, formats);
  const free = freeBytes(dir);
  const perMember = formatBytes(estimateBytes(1, formats) - estimateBytes(0, formats));
  if (free !== undefined && bytes > free) {
    throw new UserError(`the output of ${members} members would take about ${formatBytes(bytes)} (~${perMember} a member), more than the ${formatBytes(free)} free on ${dir}; give --yes to go ahead anyway`);
  }
  if (bytes > CONFIRM_ABOVE_BYTES) {
    throw new UserError(`the output of ${members} members would take about ${formatBytes(bytes)} (~${perMember} a member), more than 5 GB; give --yes to go ahead`);
  }
}

export function resolveProfile(name: string): string {
  if (existsSync(name)) return resolve(name);
  // A path is only a file; a bare name is also looked for among the shipped profiles.
  if (isAbsolute(name) || /[/\\]/.test(name)) throw new UserError(`profile '${name}' not found (no file ${resolve(name)})`);
  const shipped = join(packageRoot(), 'profiles', name.endsWith('.yaml') ? name : `${name}.yaml`);
  if (existsSync(shipped)) return shipped;
  const [close] = closeKeys(name.replace(/\.yaml$/, ''), shippedProfileNames(), 1);
  throw new UserError(`profile '${name}' not found (${close ? `did you mean ${close}? ` : ''}looked for the file ${resolve(name)} and ${shipped})`);
}

/** Names of the shipped profiles (profiles/*.yaml without the extension), for a "did you mean". */
function shippedProfileNames(): string[] {
  try {
    return readdirSync(join(packageRoot(), 'profiles')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
  } catch {
    return [];
  }
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const shard = m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
  if (!shard || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw new UserError(`--shard ${text}: expected i/N with 1 ≤ i ≤ N, e.g. 2/4`);
  }
  return shard;
}

/** `--format bundles,ndjson` → its formats, with the library's check of `formats` (output/options-check.ts checkFormats). */
function parseFormats(text: string): OutputFormat[] {
  return checkFormats('--format', text.split(',').map((f) => f.trim()).filter(Boolean), text);
}
