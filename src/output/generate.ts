import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Resource } from '@medplum/fhirtypes';
import { loadCodeMaps } from '../codemaps/load.js';
import type { CodeMaps } from '../codemaps/types.js';
import { ids, type BuildContext, type UsCoreVersion } from '../fhir/context.js';
import { buildCarinBbDirectoryResources, buildCarinBbMemberResources } from '../fhir/carin-bb/index.js';
import { buildUsCoreDirectoryResources, buildUsCoreMemberResources, layerUsCore } from '../fhir/us-core/index.js';
import type { TargetRow } from '../profile/targets.js';
import type { Profile } from '../profile/types.js';
import { buildDirectory } from '../story/directory.js';
import { simulateMember } from '../story/simulate.js';
import { Interrupted, UserError } from '../util/errors.js';
import { checkNow } from '../util/now.js';
import { fhirseedVersion } from '../util/paths.js';
import { checkRunId } from '../util/run-id.js';
import { testAccount } from './accounts.js';
import { checkOutputTarget, createTempOutput, moveShardIn, swapInOutput } from './target.js';
import { OutputWriter, shardSuffix, type OutputFormat, type Shard } from './writer.js';

export interface GenerateOptions {
  profile: Profile;
  /** The profile file, recorded in the manifest as given. */
  profileFile?: string;
  out: string;
  formats?: readonly OutputFormat[];
  shard?: Shard;
  runId?: string;
  /** The run's "now" (YYYY-MM-DD): default the profile's period end. */
  now?: string;
  usCoreVersion?: UsCoreVersion;
  codeMaps?: CodeMaps;
  /** Entries per bundle file at most (default 500); a larger member is split across files. */
  maxBundleEntries?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Called with the finished temporary directory (manifest written) just before it is put in place:
   * what throws here (e.g. the archive cannot be written) leaves `out` as it was.
   */
  beforePlace?: (dir: string, manifest: Manifest) => void;
}

/** generateAsync's options: also a signal that stops the run (Ctrl-C). */
export interface AsyncGenerateOptions extends GenerateOptions {
  signal?: AbortSignal;
}

export interface Manifest {
  generator: 'fhirseed';
  version: string;
  profile: string;
  profileFile?: string;
  seed: number;
  runId: string;
  now: string;
  igs: { 'hl7.fhir.us.carin-bb': string; 'hl7.fhir.us.core': string };
  members: { total: number; first: number; last: number; written: number };
  shard?: Shard;
  counts: { byType: Record<string, number>; byProfile: Record<string, number> };
  files: string[];
  /** The profile's own realism targets, when it has them (what `fhirseed report` judges the output against). */
  targets?: TargetRow[];
}

/** Which member indexes a shard covers: contiguous ranges, so shard files concatenate in order. */
export function shardRange(members: number, shard: Shard | undefined): { first: number; end: number } {
  if (!shard) return { first: 0, end: members };
  if (!Number.isInteger(shard.index) || !Number.isInteger(shard.count) || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw new UserError(`--shard ${shard.index}/${shard.count}: expected i/N with 1 ≤ i ≤ N`);
  }
  return {
    first: Math.floor(((shard.index - 1) * members) / shard.count),
    end: Math.floor((shard.index * members) / shard.count),
  };
}

/**
 * Profile + seed → output directory. Same inputs, same bytes. The run writes into a temporary
 * directory beside `out` and swaps it in only when complete (a shard moves in only its own files),
 * so a failing run leaves the earlier output as it was. Throws UserError for a bad --out, --run-id
 * or --now (before any work); anything thrown on the way propagates after the temporary directory
 * is removed.
 */
export function generate(options: GenerateOptions): Manifest {
  const run = generateSteps(options);
  for (let step = run.next(); ; step = run.next()) if (step.done) return step.value;
}

/**
 * generate, yielding to the event loop after every member so that signal handlers run: when
 * `options.signal` aborts, the temporary directory is removed and Interrupted (exit 130) thrown;
 * `out` stays as it was.
 */
export async function generateAsync(options: AsyncGenerateOptions): Promise<Manifest> {
  const run = generateSteps(options);
  for (let step = run.next(); ; ) {
    if (step.done) return step.value;
    await nextTurn();
    step = options.signal?.aborted ? run.throw(new Interrupted(`interrupted; removed the partial output, ${options.out} is as it was`)) : run.next();
  }
}

/** The run, as a generator that yields after each member (and cleans up in its finally). */
function* generateSteps(options: GenerateOptions): Generator<void, Manifest, void> {
  const { profile } = options;
  const now = options.now === undefined ? profile.period.end : checkNow(options.now, profile.period);
  const runId = options.runId ?? `${profile.name}-${profile.seed}`;
  checkRunId(runId, options.runId === undefined ? 'run id (from profile name and seed)' : '--run-id');
  const { first, end } = shardRange(profile.members, options.shard);
  checkOutputTarget(options.out);
  const codeMaps = options.codeMaps ?? loadCodeMaps();
  const directory = buildDirectory(profile, codeMaps);
  const ctx: BuildContext = {
    profile,
    codeMaps,
    directory,
    runId,
    lastUpdated: `${now}T00:00:00Z`,
    usCoreVersion: options.usCoreVersion ?? profile.usCore,
    plansById: new Map(profile.plans.map((p) => [p.id, p])),
  };
  const sharded = options.shard !== undefined && options.shard.count > 1;
  const temp = createTempOutput(options.out, options.shard);
  let placed = false;
  try {
    const writer = new OutputWriter(temp, new Set(options.formats ?? ['bundles', 'ndjson']), options.shard, options.maxBundleEntries);
    writer.open();
    try {
      if (first === 0) {
        writer.writeDirectory([...buildCarinBbDirectoryResources(ctx).map((r) => layerUsCore(r, undefined, ctx)), ...buildUsCoreDirectoryResources(ctx)]);
      }
      for (let index = first; index < end; index++) {
        const story = simulateMember({ profile, codeMaps, directory, now }, index);
        const resources: Resource[] = [
          ...buildCarinBbMemberResources(story, ctx).map((r) => layerUsCore(r, story, ctx)),
          ...buildUsCoreMemberResources(story, ctx),
        ];
        writer.writeMember(index, resources, testAccount(story, ids.patient(story)));
        options.onProgress?.(index - first + 1, end - first);
        yield;
      }
    } finally {
      writer.close();
    }
    const manifest: Manifest = {
      generator: 'fhirseed',
      version: fhirseedVersion(),
      profile: profile.name,
      profileFile: options.profileFile,
      seed: profile.seed,
      runId,
      now,
      igs: { 'hl7.fhir.us.carin-bb': '2.0.0', 'hl7.fhir.us.core': ctx.usCoreVersion },
      members: { total: profile.members, first, last: end - 1, written: writer.counts.members },
      shard: options.shard,
      counts: { byType: sortKeys(writer.counts.byType), byProfile: sortKeys(writer.counts.byProfile) },
      files: [...writer.files].sort(),
      targets: profile.targets,
    };
    writeFileSync(join(temp, `manifest${shardSuffix(options.shard)}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    options.beforePlace?.(temp, manifest);
    if (sharded) moveShardIn(temp, options.out, options.shard!, { first, end });
    else swapInOutput(temp, options.out);
    placed = true;
    return manifest;
  } finally {
    if (!placed) rmSync(temp, { recursive: true, force: true });
  }
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}
