import { existsSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { workerFailed } from '../util/worker-failed.js';
import { answerError, type Answer } from './member-answer.js';
import type { MemberBuilder, MemberSetup } from './member-builder.js';
import type { RenderedGroup } from './render.js';

/** Members sent to one worker and not yet answered: enough to keep it busy while its answer travels back. */
const PER_WORKER = 2;
/**
 * How far past the next member to write the builders may run (per thread building): bounds the members held in
 * memory. 2 with 64 KiB file buffers and 4 bundle writes in flight: --jobs 2, 10,000 members, 340 -> 325 MiB peak
 * RSS for the same CPU (4 before; issue 13).
 */
const AHEAD_PER_WORKER = 2;
/**
 * V8 heap limits of a worker (MiB). A worker's live data is its modules, the code maps, the directory
 * and the member being built (15–17 MiB after full collections over a 10,000-member run). The old generation is capped
 * so that a worker per core stays bounded, and at 64 MiB V8 also lets it grow less far past its live data: 10,000
 * default members --jobs 2, peak RSS 291–297 MiB against 305–319 at 128, for about 5 % more CPU (three and four runs;
 * the largest member, 1,414 resources, fits with room to spare). The young generation is
 * where a member's objects should die: at 8 MiB most of them outlived two scavenges and were promoted,
 * and old-generation collections took a third of the CPU (1,000 default members, --jobs 2: 37.9 CPU
 * seconds at 8, 29.8 at 16, 25.8 at 32 — as much as --jobs 1 — for 280, 306 and 334 MiB peak RSS; issue 13).
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 32 };

/**
 * The worker entry: member-worker.js beside this module in dist/; under vitest (TypeScript sources)
 * member-worker.ts, loaded through ts-worker-hooks.mjs.
 */
function workerEntry(): { url: URL; execArgv: string[] } {
  const js = new URL('./member-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, execArgv: [] };
  return { url: new URL('./member-worker.ts', import.meta.url), execArgv: ['--import', new URL('./ts-worker-register.mjs', import.meta.url).href] };
}

/**
 * Threads building the members [first, end) of one run, yielded in index order: `workers` worker threads,
 * started at once (each loads the code maps and builds the directory while this thread makes its own
 * setup), and this thread itself, which builds the next member whenever the workers are busy and no
 * built member waits to be written (`--jobs N` is this thread and N − 1 workers: one worker fewer in
 * memory, and no core left to a writer that is idle most of the time; issue 13). At most
 * `(workers + 1) × AHEAD_PER_WORKER` members are built ahead of the one the caller is writing
 * (backpressure: a slow writer stops the builders rather than filling memory). An error in a worker is
 * rethrown from `members` (a UserError as a UserError); `close()` terminates the workers (members()
 * closes them when it ends, is broken out of or throws; call close() yourself if members() is never run).
 */
export class MemberThreads {
  private readonly workers: Worker[];
  private readonly busy = new Map<Worker, number>();
  private readonly done = new Map<number, RenderedGroup>();
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private nextToSend = 0;
  private nextToYield = 0;
  private end = 0;
  private window = 0;

  constructor(setup: MemberSetup, workers: number, codeMapsDir?: string) {
    const entry = workerEntry();
    // Built code: no execArgv given, so the workers inherit this thread's node options as node's default does
    // (`node --cpu-prof bin.js generate --jobs 2` profiles them too: issue 13); an empty list would drop them.
    const execArgv = entry.execArgv.length ? entry.execArgv : undefined;
    this.workers = Array.from({ length: Math.max(1, workers) }, () => new Worker(entry.url, { workerData: { setup, codeMapsDir }, execArgv, resourceLimits: WORKER_HEAP }));
    for (const worker of this.workers) {
      this.busy.set(worker, 0);
      worker.on('message', (answer: Answer) => {
        this.busy.set(worker, this.busy.get(worker)! - 1);
        if ('error' in answer) this.failure ??= answerError(answer.error, answer.index);
        else this.done.set(answer.index, answer.group);
        this.feed();
        this.notify();
      });
      worker.on('error', (error) => {
        // Outside a member (its module does not load, it runs out of memory): named, its stack kept.
        this.failure ??= workerFailed(`generate worker ${this.workers.indexOf(worker)}`, error);
        this.notify();
      });
      worker.on('exit', (code) => {
        if (!this.closed) this.failure ??= new Error(`a generate worker stopped (exit code ${code}) before member ${this.nextToYield} was built`);
        this.notify();
      });
    }
  }

  /** Members [first, end) in index order, built by the workers and by `local` on this thread, if given (see the class). */
  async *members(local: MemberBuilder | undefined, first: number, end: number): AsyncGenerator<RenderedGroup, void, void> {
    this.nextToSend = this.nextToYield = first;
    this.end = end;
    this.window = (this.workers.length + (local ? 1 : 0)) * AHEAD_PER_WORKER;
    try {
      this.feed();
      while (this.nextToYield < end) {
        const group = this.done.get(this.nextToYield);
        if (group !== undefined) {
          this.done.delete(this.nextToYield++);
          this.feed();
          yield group;
          continue;
        }
        if (this.failure) throw this.failure;
        if (local && this.nextToSend < end && this.nextToSend - this.nextToYield < this.window) {
          // The workers have all they can take: this thread builds the next member, then lets their answers in.
          const index = this.nextToSend++;
          this.done.set(index, local.member(index));
          await nextTurn();
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      await this.close();
    }
  }

  /** Terminates the workers (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true; // the exits that follow are ours
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private feed(): void {
    for (const worker of this.workers) {
      while (this.busy.get(worker)! < PER_WORKER && this.nextToSend < this.end && this.nextToSend - this.nextToYield < this.window) {
        worker.postMessage(this.nextToSend++);
        this.busy.set(worker, this.busy.get(worker)! + 1);
      }
    }
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

