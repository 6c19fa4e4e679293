import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../util/errors.js';
import { workerFailed } from '../util/worker-failed.js';
import type { MemberSetup } from './member-builder.js';
import type { RenderedGroup } from './render.js';

/** Members sent to one worker and not yet answered: enough to keep it busy while its answer travels back. */
const PER_WORKER = 2;
/** How far past the next member to write the workers may run (per worker): bounds the members held in memory. */
const AHEAD_PER_WORKER = 4;
/**
 * V8 heap limits of a worker (MiB). A worker's live data is its modules, the code maps, the directory
 * and the member being built (about 30 MiB). The old generation is capped so that a worker per core
 * stays bounded (a member 50 times the default's largest would still fit). The young generation is
 * where a member's objects should die: at 8 MiB most of them outlived two scavenges and were promoted,
 * and old-generation collections took a third of the CPU (1,000 default members, --jobs 2: 37.9 CPU
 * seconds at 8, 29.8 at 16, 25.8 at 32 — as much as --jobs 1 — for 280, 306 and 334 MiB peak RSS; issue 13).
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 };

type Answer = { index: number; group: RenderedGroup } | { index: number; error: { name: string; message: string; stack?: string } };

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
 * `jobs` worker threads building members [first, end) of one run, yielded in index order. Each
 * worker loads the code maps and the directory once. At most `jobs × AHEAD_PER_WORKER` members are
 * built ahead of the one the caller is writing (backpressure: a slow writer stops the workers
 * rather than filling memory). An error in a worker is rethrown here (a UserError as a UserError);
 * `close()` (also on break/throw in a for-await) terminates the workers.
 */
export async function* membersInWorkers(setup: MemberSetup, jobs: number, first: number, end: number, codeMapsDir?: string): AsyncGenerator<RenderedGroup, void, void> {
  const entry = workerEntry();
  const workers = Array.from({ length: Math.max(1, Math.min(jobs, end - first)) }, () => new Worker(entry.url, { workerData: { setup, codeMapsDir }, execArgv: entry.execArgv, resourceLimits: WORKER_HEAP }));
  const busy = new Map<Worker, number>(workers.map((w) => [w, 0]));
  const done = new Map<number, RenderedGroup>();
  const window = workers.length * AHEAD_PER_WORKER;
  let nextToSend = first;
  let nextToYield = first;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const feed = (): void => {
    for (const worker of workers) {
      while (busy.get(worker)! < PER_WORKER && nextToSend < end && nextToSend - nextToYield < window) {
        worker.postMessage(nextToSend++);
        busy.set(worker, busy.get(worker)! + 1);
      }
    }
  };
  for (const worker of workers) {
    worker.on('message', (answer: Answer) => {
      busy.set(worker, busy.get(worker)! - 1);
      if ('error' in answer) failure ??= asError(answer.error, answer.index);
      else done.set(answer.index, answer.group);
      feed();
      notify();
    });
    worker.on('error', (error) => {
      // Outside a member (its module does not load, it runs out of memory): named, its stack kept.
      failure ??= workerFailed(`generate worker ${workers.indexOf(worker)}`, error);
      notify();
    });
    worker.on('exit', (code) => {
      if (nextToYield < end) failure ??= new Error(`a generate worker stopped (exit code ${code}) before member ${nextToYield} was built`);
      notify();
    });
  }
  try {
    feed();
    while (nextToYield < end) {
      const group = done.get(nextToYield);
      if (group === undefined) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      done.delete(nextToYield++);
      feed();
      yield group;
    }
  } finally {
    nextToYield = end; // the exits that follow are ours
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function asError(e: { name: string; message: string; stack?: string }, index: number): Error {
  if (e.name === 'UserError' || e.name === 'ProfileError') return new UserError(e.message);
  const error = new Error(`member ${index}: ${e.message}`);
  if (e.stack) error.stack = `${error.message}\n(in the worker) ${e.stack}`;
  return error;
}
