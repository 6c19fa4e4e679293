import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { assertModeSupported, fetchCapabilities } from './capabilities.js';
import { Checkpoint } from './checkpoint.js';
import { connect } from './connect.js';
import { DeadLetterFile, deadLetterReplay, readDeadLetters, type DeadLetterReplay } from './dead-letter.js';
import { assertServerAllowed, checkSeedOptions, DEFAULT_BUNDLE_SIZE, normalizeServerUrl, SEED_LIBRARY_NAMES, type SeedOptionNames, type SeedOptions } from './options.js';
import { planWork, type Group, type WorkItem } from './plan.js';
import { Redactor } from './redact.js';
import { runItem, runPool, type WorkRunner } from './run-work.js';
import { ChunkSender, type SeedMode } from './send.js';
import { readBundleEntries, readSource, type SeedSource } from './source.js';
import { markSeeding } from './seeding-marker.js';
import { interruptedMidRun, stoppedMidRun, type StopState } from './stopped.js';
import { verifyCounts, type VerifyRow } from './verify.js';
import { makeDirectory } from '../util/make-dir.js';

export interface SeedSummary {
  server: string;
  runId: string;
  mode: SeedMode;
  bundleSize: number;
  dryRun: boolean;
  /** Entries sent (each once, however often retried). */
  sent: number;
  created: number;
  updated: number;
  /** Updates the server said changed nothing (version kept), e.g. on a second seed of the same output. */
  unchanged: number;
  failed: number;
  retried: number;
  /** `retried` by cause (`timeout`, `HTTP 503`, `connection closed`, `expired token`, `entry HTTP 429`, …). */
  retryCauses: Record<string, number>;
  deadLettered: number;
  /** Member files a resumed run found already loaded. */
  skippedMembers: number;
  elapsedMs: number;
  /** Resources stored per second. */
  rate: number;
  tokensIssued: number;
  checkpointFile?: string;
  deadLetterFile: string;
  /**
   * --retry-dead-letter: of the entries replayed, how many were sent as the output directory holds them now and how
   * many as the dead-letter file stored them (the output no longer holds them).
   */
  replayed?: { fromOutput: number; asStored: number };
  /** Dry run: what would be sent. */
  plan?: { requests: number; entries: number; byType: Record<string, number> };
  verify?: VerifyRow[];
  ok: boolean;
}

export function statePaths(options: Pick<SeedOptions, 'dir' | 'stateDir'>): { dir: string; checkpoint: string; deadLetter: string } {
  const dir = options.stateDir ?? join(options.dir, 'seed-state');
  return { dir, checkpoint: join(dir, 'checkpoint.json'), deadLetter: join(dir, 'dead-letter.ndjson') };
}

/**
 * Loads a fhirseed output directory into a FHIR server: directory first, then members; see DESIGN.md §6. Throws a
 * UserError (exit 2) for a mistake, or for a server that stops answering or refuses the credentials mid-run
 * (stoppedMidRun); Interrupted (exit 130, saying what the server acknowledged and what to run next: interruptedMidRun)
 * once `options.signal` aborts and the requests in flight have settled. What the caller gave is named as `names` says
 * (default the properties: `options.server "x": not a URL`, `options.bundleSize 0: expected a whole number ≥ 1`,
 * `… give a writable options.stateDir`); fhirseed's CLI passes SEED_CLI_NAMES (`--server …`).
 */
export async function seed(options: SeedOptions, names: SeedOptionNames = SEED_LIBRARY_NAMES): Promise<SeedSummary> {
  const started = Date.now();
  if (typeof options !== 'object' || options === null) throw new UserError('seed: expected an options object ({ ...defaultConnection(server), dir, mode, … })');
  const server = normalizeServerUrl(options.server, names.server);
  assertServerAllowed(server, options.production, 'seed', names.production);
  checkSeedOptions(options, names);
  const source = readSource(options.dir);
  const paths = statePaths(options);
  const total = Object.values(source.expected).reduce((a, b) => a + b, 0);
  const summary: SeedSummary = {
    server, runId: source.runId, mode: options.mode, bundleSize: options.bundleSize ?? DEFAULT_BUNDLE_SIZE, dryRun: options.dryRun,
    sent: 0, created: 0, updated: 0, unchanged: 0, failed: 0, retried: 0, retryCauses: {}, deadLettered: 0, skippedMembers: 0, elapsedMs: 0, rate: 0, tokensIssued: 0,
    deadLetterFile: paths.deadLetter, ok: true,
  };
  if (options.dryRun) {
    summary.plan = dryRunPlan(source, options, summary.bundleSize);
    summary.elapsedMs = Date.now() - started;
    return summary;
  }

  if (!options.resume && !options.retryDeadLetter) {
    const earlier = Checkpoint.unfinished(paths.checkpoint, server, source);
    if (earlier && (earlier.membersDone || earlier.directoryDone)) {
      options.onNote?.(
        `an unfinished seed of run ${source.runId} to ${server} is in ${paths.checkpoint} (${earlier.membersDone} of ${source.memberFiles.length} members acknowledged); ` +
          `starting afresh without --resume (--resume would skip those ${earlier.membersDone}; the checkpoint is kept until this run's first acknowledgement)`,
      );
    }
  }
  // Settled before any request, so that a mismatched checkpoint or an unwritable state directory fails fast and sends nothing.
  const checkpoint = openState(paths, names.stateDir, () =>
    options.retryDeadLetter ? undefined : options.resume ? Checkpoint.resume(paths.checkpoint, server, source) : Checkpoint.start(paths.checkpoint, server, source));
  // Read (and the output's current copies found) before any request: a data file an edit broke is told, nothing sent.
  const replay = checkpoint ? undefined : deadLetterReplay(readDeadLetters(paths.deadLetter), source);
  if (replay) summary.replayed = { fromOutput: replay.fromOutput, asStored: replay.asStored };
  const redactor = new Redactor();
  const { client } = connect(options, redactor);
  const sender = new ChunkSender(client, options.mode, options.retry, redactor, options.random);
  const unmark = markSeeding(server, source.runId, options.dir);
  let sendingDone = false;
  const stopState = (): StopState => ({
    server, checkpointFile: checkpoint ? paths.checkpoint : undefined, membersDone: checkpoint?.membersDone ?? 0, membersTotal: source.memberFiles.length,
    directoryDone: checkpoint?.directoryDone ?? false, earlier: checkpoint?.earlier,
    sendingDone, deadLettered: summary.deadLettered, deadLetterFile: paths.deadLetter,
  });
  try {
    const capabilities = await fetchCapabilities(client);
    if (capabilities.fhirVersion && !capabilities.fhirVersion.startsWith('4.0')) {
      throw new UserError(`${server} is FHIR ${capabilities.fhirVersion}; fhirseed writes FHIR R4 (4.0.1)`);
    }
    assertModeSupported(capabilities, options.mode);
    summary.bundleSize = Math.min(options.bundleSize ?? DEFAULT_BUNDLE_SIZE, capabilities.maxBundleSize ?? Number.POSITIVE_INFINITY);
    let done = 0;
    const onEntries = (n: number) => {
      done += n;
      options.onProgress?.(Math.min(done, total), total);
    };

    try {
      if (!checkpoint) {
        await replayDeadLetters(paths.deadLetter, replay!, summary, { sender, onEntries, signal: options.signal }, options.concurrency, redactor);
      } else {
        summary.checkpointFile = paths.checkpoint;
        const deadLetters = new DeadLetterFile(paths.deadLetter, redactor);
        // Over a kept earlier checkpoint, its dead letters stay until this run records something (V #4).
        deadLetters.open(options.resume, checkpoint.earlier !== undefined);
        if (checkpoint.earlier) checkpoint.onReplace = () => deadLetters.startAfresh();
        const runner: WorkRunner = { sender, deadLetters, checkpoint, onEntries, signal: options.signal };
        try {
          if (source.directoryFile && !checkpoint.directoryDone) {
            // Shared resources first, and complete, before any member bundle references them.
            const directory = [source.directoryFile, ...(source.directoryParts ?? [])].flatMap((f) => readBundleEntries(source.dir, f));
            for (const item of planWork([{ file: source.directoryFile, entries: directory }], summary.bundleSize)) {
              await runItem({ ...item, files: [] }, runner);
            }
            checkpoint.markDirectoryDone();
          }
          const remaining = source.memberFiles.filter((f) => !checkpoint.isDone(f));
          summary.skippedMembers = source.memberFiles.length - remaining.length;
          if (summary.skippedMembers) onEntries(Math.round((total * summary.skippedMembers) / Math.max(1, source.memberFiles.length)));
          await runPool(planWork(memberGroups(source, remaining), summary.bundleSize), options.concurrency, runner);
          // The attribution Groups name members: after all of them (sent again on a resumed run: PUTs change nothing).
          for (const item of planWork(groupFiles(source), summary.bundleSize)) await runItem({ ...item, files: [] }, runner);
          checkpoint.markFinished();
        } finally {
          deadLetters.close();
          summary.deadLettered = deadLetters.count;
        }
      }
      sendingDone = true;

      if (options.verify) summary.verify = await verifyCounts(client, source.runId, source.expected);
    } catch (error) {
      // The server went away or refused the credentials: stop (the checkpoint stays resumable), one line, exit 2.
      throw stoppedMidRun(error, stopState());
    }
  } catch (error) {
    // Ctrl-C at any moment (the first contact too): the requests in flight have settled; say what was acknowledged.
    if (options.signal?.aborted) throw interruptedMidRun(stopState());
    throw error;
  } finally {
    Object.assign(summary, { sent: sender.stats.sent, created: sender.stats.created, updated: sender.stats.updated, unchanged: sender.stats.unchanged, failed: sender.stats.failed });
    if (sender.bundleLimit < summary.bundleSize) {
      // The server refused larger bundles as too large: say what it took, for --bundle-size next time.
      summary.bundleSize = sender.bundleLimit;
      options.log?.(`the server refused bundles as too large; sent at most ${sender.bundleLimit} entries per bundle (use --bundle-size ${sender.bundleLimit})`);
    }
    summary.retried = client.stats.retries + sender.stats.retried;
    summary.retryCauses = { ...client.retryCauses };
    for (const [cause, n] of Object.entries(sender.stats.retryCauses)) summary.retryCauses[cause] = (summary.retryCauses[cause] ?? 0) + n;
    summary.tokensIssued = client.auth.tokensIssued;
    summary.elapsedMs = Date.now() - started;
    summary.rate = (summary.created + summary.updated + summary.unchanged) / Math.max(0.001, summary.elapsedMs / 1000);
    unmark();
    await client.close();
  }
  summary.ok = summary.deadLettered === 0 && (summary.verify ?? []).every((r) => r.ok);
  return summary;
}

/** Creates the state directory and opens the checkpoint; a file system refusal is one line naming the place (exit 2). */
function openState<T>(paths: ReturnType<typeof statePaths>, stateDirName: string, open: () => T): T {
  try {
    makeDirectory(paths.dir);
    return open();
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(`cannot keep the seed state (checkpoint, dead letters) in ${paths.dir} (${code}); give a writable ${stateDirName}`);
  }
}

/** The attribution Groups' bundle files as one work group (none when the output has none). */
function groupFiles(source: SeedSource): Group[] {
  const files = source.groupFiles ?? [];
  return files.length ? [{ file: files[0]!, entries: files.flatMap((f) => readBundleEntries(source.dir, f)) }] : [];
}

function* memberGroups(source: SeedSource, files: readonly string[]): Generator<Group> {
  // A split member's parts join its first file: one group, sent in order, checkpointed as one.
  for (const file of files) yield { file, entries: [file, ...(source.memberParts?.[file] ?? [])].flatMap((f) => readBundleEntries(source.dir, f)) };
}

/** --retry-dead-letter: sends the dead letters again (deadLetterReplay: as the output holds them now); what fails again becomes the new file. */
async function replayDeadLetters(path: string, replay: DeadLetterReplay, summary: SeedSummary, runner: Omit<WorkRunner, 'deadLetters'>, workers: number, redactor: Redactor): Promise<void> {
  const next = new DeadLetterFile(`${path}.next`, redactor);
  next.open(false);
  try {
    await runPool(planWork(replay.groups, summary.bundleSize), workers, { ...runner, deadLetters: next });
  } finally {
    next.close();
    summary.deadLettered = next.count;
  }
  // Only now, with every record either loaded or in the new file, does the old file go.
  renameSync(`${path}.next`, path);
  if (!next.count && existsSync(path)) rmSync(path);
}

function dryRunPlan(source: SeedSource, options: SeedOptions, bundleSize: number): NonNullable<SeedSummary['plan']> {
  const byType: Record<string, number> = {};
  let requests = 0;
  let entries = 0;
  const groups: Group[] = [];
  for (const file of source.directoryFile ? [source.directoryFile, ...(source.directoryParts ?? [])] : []) groups.push({ file, entries: readBundleEntries(source.dir, file) });
  const count = (item: WorkItem) => {
    for (const chunk of item.chunks) {
      requests += options.mode === 'upsert' ? chunk.length : 1;
      entries += chunk.length;
      for (const e of chunk) byType[e.type] = (byType[e.type] ?? 0) + 1;
    }
  };
  for (const item of planWork(groups, bundleSize)) count(item);
  for (const item of planWork(memberGroups(source, source.memberFiles), bundleSize)) count(item);
  for (const item of planWork(groupFiles(source), bundleSize)) count(item);
  return { requests, entries, byType };
}
