import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { loadCodeMaps } from '../codemaps/load.js';
import type { CodeMaps } from '../codemaps/types.js';
import type { UsCoreVersion } from '../fhir/context.js';
import { IG_NAMES, igPackageVersions, type IgName } from '../profile/igs.js';
import type { TargetRow } from '../profile/targets.js';
import { profileFileOf } from '../profile/profile-file.js';
import type { Profile } from '../profile/types.js';
import { Interrupted, UserError } from '../util/errors.js';
import { generateInterrupted } from './interrupted.js';
import { checkNow } from '../util/now.js';
import { fhirseedVersion } from '../util/paths.js';
import { checkRunId } from '../util/run-id.js';
import { checkStoryTableCodes } from '../story/claims/table-codes.js';
import { BRANDS_FILE, buildUserAccessBrands } from '../fhir/smart/user-access-brands.js';
import { memberBuilder, type MemberBuilder, type MemberSetup } from './member-builder.js';
import type { RenderedGroup } from './render.js';
import { DEFAULT_MAX_BUNDLE_ENTRIES } from './split.js';
import { checkOutputTarget, createTempOutput, lockOutput, moveShardIn, swapInOutput } from './target.js';
import { checkGenerateOptions, CLI_OPTION_NAMES, LIBRARY_OPTION_NAMES, type OptionNames } from './options-check.js';

export { CLI_OPTION_NAMES, LIBRARY_OPTION_NAMES, type OptionNames };
import { MemberThreads } from './workers.js';
import { OutputWriter, shardSuffix, type OutputFormat, type Shard } from './writer.js';
import { writeFailure } from './write-failure.js';
import { Attribution } from './attribution.js';

export interface GenerateOptions {
  profile: Profile;
  /**
   * The profile file, recorded in the manifest (`profileFile`) as given. Default: the file loadProfile read `profile`
   * from (profileFileOf), so that the library's manifest names it as the CLI's does. A profile object that did not come
   * from loadProfile — parseProfile's, one built in code, or a copy such as `{ ...profile, members: 10 }` — has no file:
   * its manifest has no `profileFile` unless this is given.
   */
  profileFile?: string;
  out: string;
  formats?: readonly OutputFormat[];
  shard?: Shard;
  runId?: string;
  /** The run's "now" (YYYY-MM-DD): default the profile's period end. */
  now?: string;
  usCoreVersion?: UsCoreVersion;
  /** The IGs to emit (`generate --ig`): default the profile's `igs`, else all. */
  igs?: IgName[];
  codeMaps?: CodeMaps;
  /** Entries per bundle file at most (default 500); a larger member is split across files. */
  maxBundleEntries?: number;
  /** Indented bundle files (default compact, one line each); the JSON is the same either way. */
  pretty?: boolean;
  onProgress?: (done: number, total: number) => void;
  /**
   * Called with the finished temporary directory (manifest written) just before it is put in place:
   * what throws here (e.g. the archive cannot be written) leaves `out` as it was.
   */
  beforePlace?: (dir: string, manifest: Manifest) => void;
  /**
   * Told, in one line for a user (no `fhirseed: ` prefix), what putting the run in place removed that was not
   * generate's own: the sandbox store of the earlier output (`removed out/sandbox-store (the sandbox store of the
   * earlier population): what apps and the seeder wrote to it is gone`). Not called when there was none.
   */
  onNote?: (note: string) => void;
}

/** generateAsync's options: also a signal that stops the run (Ctrl-C), and the worker threads to build members on. */
export interface AsyncGenerateOptions extends GenerateOptions {
  signal?: AbortSignal;
  /**
   * Threads building members: this one and `jobs − 1` worker threads (default 1: all on this thread).
   * The output is the same bytes for every value; the workers get a copy of this run's code maps.
   */
  jobs?: number;
  /**
   * Worker threads started ahead (startMemberThreads, as many as `jobs − 1`), which load their modules while the caller
   * reads the code maps and the profile: used instead of starting new ones, given the setup once the run's checks pass.
   * The caller closes them (MemberThreads.close) also when it never calls generateAsync.
   */
  threads?: MemberThreads;
}

/**
 * `workers` worker threads for a generateAsync to come (its `threads`), started now: each loads its modules while this
 * thread reads the code maps and the profile, ~0.2 s of a start-up in which the other core had nothing to do (issue 13).
 */
export function startMemberThreads(workers: number): MemberThreads {
  return new MemberThreads(undefined, workers);
}

export interface Manifest {
  generator: 'fhirseed';
  version: string;
  profile: string;
  profileFile?: string;
  seed: number;
  runId: string;
  now: string;
  /** The IG packages the output was made for, package id → version (e.g. `hl7.fhir.us.core`: `6.1.0`): what `validate` loads. */
  igs: Record<string, string>;
  members: { total: number; first: number; last: number; written: number };
  shard?: Shard;
  counts: { byType: Record<string, number>; byProfile: Record<string, number> };
  files: string[];
  /** The profile's own realism targets, when it has them (what `fhirseed report` judges the output against). */
  targets?: TargetRow[];
}


/**
 * Which member indexes a shard covers: contiguous ranges, so shard files concatenate in order. Throws UserError
 * `WHAT i/N: expected i/N with 1 ≤ i ≤ N` (`what`: the CLI's --shard, or options.shard).
 */
export function shardRange(members: number, shard: Shard | undefined, what = CLI_OPTION_NAMES.shard): { first: number; end: number } {
  if (!shard) return { first: 0, end: members };
  if (!Number.isInteger(shard.index) || !Number.isInteger(shard.count) || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw new UserError(`${what} ${shard.index}/${shard.count}: expected i/N with 1 ≤ i ≤ N`);
  }
  return {
    first: Math.floor(((shard.index - 1) * members) / shard.count),
    end: Math.floor((shard.index * members) / shard.count),
  };
}

/**
 * Profile + seed → output directory. Same inputs, same bytes. The run writes into a temporary
 * directory beside `out` and swaps it in only when complete (a shard moves in only its own files),
 * so a failing run leaves the earlier output as it was. Throws UserError for a bad `out`, `runId`,
 * `now` or `shard` (before any work), named as `names` says (default the properties: `options.out …`);
 * anything thrown on the way propagates after the temporary directory is removed. All on this thread,
 * bundle files written synchronously.
 */
export function generate(options: GenerateOptions, names: OptionNames = LIBRARY_OPTION_NAMES): Manifest {
  const run = beginRun(options, false, names);
  try {
    const builder = memberBuilder(run.setup, run.codeMaps);
    try {
      if (run.first === 0) run.writer.writeDirectory(builder.directory());
      const attribution = new Attribution(options.shard);
      for (let index = run.first; index < run.end; index++) {
        run.writer.writeMember(attribution.add(builder.member(index)));
        options.onProgress?.(index - run.first + 1, run.end - run.first);
      }
      attribution.write(builder, run.writer);
    } finally {
      run.writer.close();
    }
    return finishRun(run, options, names);
  } catch (error) {
    rmSync(run.temp, { recursive: true, force: true });
    throw writeFailure(error, options.out);
  } finally {
    run.unlock();
  }
}

/**
 * generate, with members built on `options.jobs` threads, this one and `jobs − 1` workers (written in
 * index order: the same bytes as one job; src/output/workers.ts) and bundle files written asynchronously while the next members are built. It
 * yields to the event loop after every member so that signal handlers run: when `options.signal`
 * aborts before the output is put in place (checked last just before it, the rest being synchronous), the workers
 * stop, the temporary directory is removed and Interrupted (exit 130) thrown; `out` stays as it was. Every check of generate is made before a worker starts, its errors named as `names` says.
 */
export async function generateAsync(options: AsyncGenerateOptions, names: OptionNames = LIBRARY_OPTION_NAMES): Promise<Manifest> {
  const run = beginRun(options, true, names);
  const interrupted = () => new Interrupted(generateInterrupted(options.out));
  try {
    const jobs = options.jobs ?? 1;
    // Workers first: they start up (modules, code maps, directory) while this thread builds its own.
    const parallel = jobs > 1 && run.end - run.first > 1;
    // In parallel, each thread writes its members' bundle files itself: only their NDJSON bytes come here (issue 13).
    const setup: MemberSetup = parallel && run.setup.render.formats.has('bundles') ? { ...run.setup, bundleDir: run.temp } : run.setup;
    const threads = !parallel ? undefined : options.threads ? options.threads.begin(setup, run.codeMaps) : new MemberThreads(setup, Math.min(jobs, run.end - run.first) - 1, run.codeMaps);
    try {
      const builder = memberBuilder(setup, run.codeMaps);
      const members = threads ? threads.members(builder, run.first, run.end) : membersInProcess(builder, run.first, run.end);
      if (run.first === 0) run.writer.writeDirectory(builder.directory());
      const attribution = new Attribution(options.shard);
      let done = 0;
      for await (const group of members) {
        if (options.signal?.aborted) throw interrupted();
        run.writer.writeMember(attribution.add(group));
        options.onProgress?.(++done, run.end - run.first);
        await run.writer.drained();
        if (options.signal?.aborted) throw interrupted();
      }
      attribution.write(builder, run.writer);
    } finally {
      await threads?.close();
      run.writer.close();
      await run.writer.finished().catch(() => undefined); // nothing still writing into the directory about to be removed
    }
    await run.writer.finished();
    // The last moment a signal is seen before the output is put in place (finishRun is synchronous): one handled while
    // the workers closed or the files were flushed stops the run here, --out as it was.
    if (options.signal?.aborted) throw interrupted();
    return finishRun(run, options, names);
  } catch (error) {
    rmSync(run.temp, { recursive: true, force: true });
    throw writeFailure(error, options.out);
  } finally {
    run.unlock();
  }
}

/** Members [first, end) on this thread, yielding to the event loop after each (signals). */
async function* membersInProcess(builder: MemberBuilder, first: number, end: number): AsyncGenerator<RenderedGroup, void, void> {
  for (let index = first; index < end; index++) {
    yield builder.member(index);
    await nextTurn();
  }
}

interface Run {
  setup: MemberSetup;
  codeMaps: CodeMaps;
  first: number;
  end: number;
  temp: string;
  writer: OutputWriter;
  /** Releases the output's lock (lockOutput), once the run is in place or removed. */
  unlock: () => void;
}

/** The checks (before any work), the member setup, and the temporary directory with its writer open. */
function beginRun(options: GenerateOptions, streaming: boolean, names: OptionNames): Run {
  checkGenerateOptions(options, names);
  const { profile } = options;
  const now = options.now === undefined ? profile.period.end : checkNow(options.now, profile.period, names.now);
  const runId = options.runId ?? `${profile.name}-${profile.seed}`;
  checkRunId(runId, options.runId === undefined ? 'run id (from profile name and seed)' : names.runId);
  const { first, end } = shardRange(profile.members, options.shard, names.shard);
  checkOutputTarget(options.out, names.out);
  const codeMaps = options.codeMaps ?? loadCodeMaps();
  // Every code the story can put on a claim from tables.json, checked before anything is written.
  checkStoryTableCodes(codeMaps);
  const setup: MemberSetup = {
    profile,
    now,
    runId,
    usCoreVersion: options.usCoreVersion ?? profile.usCore,
    igs: options.igs ?? profile.igs ?? [...IG_NAMES],
    render: {
      formats: new Set(options.formats ?? ['bundles', 'ndjson']),
      maxBundleEntries: options.maxBundleEntries ?? DEFAULT_MAX_BUNDLE_ENTRIES,
      pretty: options.pretty ?? false,
    },
  };
  // Before the temporary directory: a second run on this output replaced the first one's output with its own at the
  // end, both saying they wrote it.
  const unlock = lockOutput(options.out, options.shard, names.out);
  let temp: string;
  try {
    temp = createTempOutput(options.out, options.shard, names.out);
  } catch (error) {
    unlock();
    throw error;
  }
  const writer = new OutputWriter(temp, setup.render.formats, options.shard, streaming, true);
  try {
    writer.open();
  } catch (error) {
    writer.close();
    rmSync(temp, { recursive: true, force: true });
    unlock();
    throw error;
  }
  return { setup, codeMaps, first, end, temp, writer, unlock };
}

/** The manifest, the caller's beforePlace, and the temporary directory put in place of `out`. */
function finishRun(run: Run, options: GenerateOptions, names: OptionNames): Manifest {
  const { profile } = options;
  const { writer, first, end, temp } = run;
  const { runId, now, usCoreVersion, igs } = run.setup;
  const sharded = options.shard !== undefined && options.shard.count > 1;
  // The payer's SMART User-access Brands Bundle, once per population (with its first member).
  if (first === 0) writeFileSync(join(temp, BRANDS_FILE), `${JSON.stringify(buildUserAccessBrands(profile, now), null, 2)}\n`);
  const manifest: Manifest = {
    generator: 'fhirseed',
    version: fhirseedVersion(),
    profile: profile.name,
    profileFile: options.profileFile ?? profileFileOf(profile),
    seed: profile.seed,
    runId,
    now,
    igs: igPackageVersions(igs ?? IG_NAMES, usCoreVersion),
    members: { total: profile.members, first, last: end - 1, written: writer.counts.members },
    shard: options.shard,
    counts: { byType: sortKeys(writer.counts.byType), byProfile: sortKeys(writer.counts.byProfile) },
    files: [...writer.files, ...(first === 0 ? [BRANDS_FILE] : [])].sort(),
    targets: profile.targets,
  };
  writeFileSync(join(temp, `manifest${shardSuffix(options.shard)}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  options.beforePlace?.(temp, manifest);
  if (sharded) moveShardIn(temp, options.out, options.shard!, { first, end });
  else {
    const store = swapInOutput(temp, options.out, names.out);
    if (store) options.onNote?.(`removed ${store} (the sandbox store of the earlier population): what apps and the seeder wrote to it is gone`);
  }
  return manifest;
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}
