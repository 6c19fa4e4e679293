import { existsSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CodeMaps } from '../codemaps/types.js';
import { workerFailed } from '../util/worker-failed.js';
import { answerError, type WorkerMessage } from './member-answer.js';
import type { MemberBuilder, MemberSetup } from './member-builder.js';
import type { RenderedGroup } from './render.js';

/**
 * Members sent to one worker and not yet answered: a backlog for it to work through while this thread, busy building
 * a member of its own (tens of ms, a heavy one hundreds), cannot send it the next.
 */
const PER_WORKER = 4;
/**
 * How far the builders may run past the next member to write: bounds the built members held in memory. Counted in
 * their bytes (a heavy member has 5 times an average one's resources), so that one slow member does not stop the
 * others' thread after a fixed count: with 2 members a thread (4 at --jobs 2) the main thread idled 23 % of its time
 * waiting for the worker's member (cpu-prof, 300 members; issue 13). Also at most MAX_AHEAD members, however small.
 */
const AHEAD_BYTES = 6 << 20;
const MAX_AHEAD = 32;
/**
 * V8 heap limits of a worker (MiB). A worker's live data is its modules, the code maps, the directory
 * and the member being built (15–17 MiB after full collections over a 10,000-member run). The old generation is capped
 * so that a worker per core stays bounded, and at 64 MiB V8 also lets it grow less far past its live data: 10,000
 * default members --jobs 2, peak RSS 291–297 MiB against 305–319 at 128, for about 5 % more CPU (three and four runs;
 * the largest member, 1,414 resources, fits with room to spare). The young generation is three semi-spaces' worth
 * (V8 takes a third, rounded up to a power of two): 12 is semi-spaces of 4 MiB, 8 MiB of new space committed where
 * 32 committed 32. Since each resource is rendered as soon as it is built (render.ts GroupRenderer), a member's
 * objects die in the young generation even at that size: 1,000 default members --jobs 2, three interleaved runs each
 * at real-time priority, 229.9–238.1 MiB peak RSS against 260.9–265.6 at 32, 61.4 CPU-s against 62.7 (issue 13,
 * docs/performance.md 2026-12-01 20:05). Before that change, with a member's resources all built before any was
 * rendered, 8 MiB (the same semi-spaces) cost half as much CPU again as 32.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 12 };

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
 * started at once (each loads the code maps and builds the directory, then says it is ready), and this thread
 * itself, which builds the next member whenever the ready workers have their fill and no built member waits to be
 * written (`--jobs N` is this thread and N − 1 workers: one worker fewer in memory, and no core left to a writer that
 * is idle most of the time; issue 13). A worker is sent members only once ready, so that the first members are not
 * held up by its start-up while this thread could build them. Built members wait for their turn to be written
 * within AHEAD_BYTES of their bytes and MAX_AHEAD members (backpressure: a slow writer stops the builders rather than
 * filling memory). An error in a worker is rethrown from `members` (a UserError as a UserError), also one that comes
 * after this thread built every member; `close()` terminates the workers (members() closes them when it ends, is
 * broken out of or throws; call close() yourself if members() is never run).
 */
export class MemberThreads {
  private readonly workers: Worker[];
  private readonly busy = new Map<Worker, number>();
  private readonly ready = new Set<Worker>();
  private readonly done = new Map<number, RenderedGroup>();
  /** Bytes of the built members in `done`. */
  private held = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private nextToSend = 0;
  private nextToYield = 0;
  private end = 0;
  /** Whether the workers have their setup (given to the constructor, or by begin). */
  private begun: boolean;

  /**
   * `codeMaps`: the code maps this thread loaded (and checked), which each worker gets as a structured clone, or a
   * code-maps directory each worker loads itself (default: the shipped code-maps/). The clone takes 10–20 ms here and
   * 20 there where loading takes a worker 250 ms and half a CPU-second (JSON with places, checks; issue 13).
   * `setup` undefined: the workers start now, load their modules and wait for begin() to give them the setup.
   */
  constructor(setup: MemberSetup | undefined, workers: number, codeMaps?: string | CodeMaps) {
    const entry = workerEntry();
    // Built code: no execArgv given, so the workers inherit this thread's node options as node's default does
    // (`node --cpu-prof bin.js generate --jobs 2` profiles them too: issue 13); an empty list would drop them.
    const execArgv = entry.execArgv.length ? entry.execArgv : undefined;
    this.begun = setup !== undefined;
    const workerData = setup === undefined ? undefined : { setup, codeMaps };
    this.workers = Array.from({ length: Math.max(1, workers) }, () => new Worker(entry.url, { workerData, execArgv, resourceLimits: WORKER_HEAP }));
    for (const worker of this.workers) {
      this.busy.set(worker, 0);
      worker.on('message', (answer: WorkerMessage) => {
        if ('ready' in answer) this.ready.add(worker);
        else {
          this.busy.set(worker, this.busy.get(worker)! - 1);
          if ('error' in answer) this.failure ??= answerError(answer.error, answer.index);
          else {
            this.done.set(answer.index, answer.group);
            this.held += answer.group.bytes.byteLength;
          }
        }
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

  /**
   * Gives workers started without a setup (`new MemberThreads(undefined, n)`: started before this thread had read the
   * code maps and the profile, so that their start-up overlaps that; issue 13) the run's setup and code maps, as the
   * constructor would have; returns this. Throws when they have them already.
   */
  begin(setup: MemberSetup, codeMaps?: string | CodeMaps): this {
    if (this.begun) throw new Error('MemberThreads.begin: the workers have their setup already');
    this.begun = true;
    for (const worker of this.workers) worker.postMessage({ setup, codeMaps });
    return this;
  }

  /** Members [first, end) in index order, built by the workers and by `local` on this thread, if given (see the class). */
  async *members(local: MemberBuilder | undefined, first: number, end: number): AsyncGenerator<RenderedGroup, void, void> {
    if (!this.begun) throw new Error('MemberThreads.members before begin: the workers have no setup');
    this.nextToSend = this.nextToYield = first;
    this.end = end;
    try {
      this.feed();
      while (this.nextToYield < end) {
        if (this.failure) throw this.failure;
        const group = this.done.get(this.nextToYield);
        if (group !== undefined) {
          this.done.delete(this.nextToYield++);
          this.held -= group.bytes.byteLength;
          this.feed();
          yield group;
          continue;
        }
        if (local && this.mayStart()) {
          // The ready workers have their fill: this thread builds the next member, then lets their answers in.
          const index = this.nextToSend++;
          const built = local.member(index);
          this.done.set(index, built);
          this.held += built.bytes.byteLength;
          await nextTurn();
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
      // A worker still starting when this thread built the last member: its failure is the run's too.
      while (!this.failure && this.ready.size < this.workers.length) await new Promise<void>((resolve) => (this.wake = resolve));
      if (this.failure) throw this.failure;
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

  /** Whether a member may be started now: one is left, and the built members waiting are within AHEAD_BYTES and MAX_AHEAD. */
  private mayStart(): boolean {
    return this.nextToSend < this.end && this.nextToSend - this.nextToYield < MAX_AHEAD && this.held < AHEAD_BYTES;
  }

  private feed(): void {
    for (const worker of this.ready) {
      while (this.busy.get(worker)! < PER_WORKER && this.mayStart()) {
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
