import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CoverageState } from './coverage.js';
import { baseDefinitionsLoaded, baseDefinitionsText } from './definitions.js';
import type { KeySet } from './key-set.js';
import type { WorkUnit } from './stream.js';
import type { Issue } from './types.js';
import { UserError } from '../util/errors.js';
import { workerFailed } from '../util/worker-failed.js';

/** What the main thread tells a validate worker at start (workerData). */
export interface WorkerSetup {
  igs: string[];
  packagesDir?: string;
  /** `name@version` of the packages to gather coverage for. */
  coverage: string[];
  keys: SharedArrayBuffer;
  entryKeys: SharedArrayBuffer;
  /** The R4 base definitions as the main thread slimmed them (baseDefinitionsText). */
  base: string;
}

/** Messages from a validate worker. */
export type WorkerAnswer =
  | { unit: number; issues: Issue[]; resources: number }
  | { coverage: CoverageState[]; skippedInvariants: [string, string][] }
  | { error: { name: string; message: string; stack?: string } };

export interface WorkersOptions {
  jobs: number;
  igs: string[];
  packagesDir?: string;
  coverage: string[];
  /** Told the number of resources of each finished unit. */
  onUnit: (resources: number) => void;
}

/**
 * V8 heap limits of a worker (MiB). Its live data is the definitions and compiled profiles (about 100 MiB),
 * one unit's resources at a time and the invariant caches; without a limit V8 lets each worker's heap grow
 * to several times that before collecting, and two workers took the process past 800 MiB. A JSON file is
 * one unit, parsed whole: the limit grows with the largest one (see heapFor).
 */
const WORKER_HEAP_MB = 256;

/** Units each worker holds at once (one running, one queued behind it so the thread never waits for the next). */
const PER_WORKER = 2;

/** A worker entry (`validate-worker`, `base-worker`): the .js beside this module in dist/; from the TypeScript sources (vitest), the .ts through the TS loader hooks. */
function workerEntry(name: string): { url: URL; execArgv: string[] } {
  const js = new URL(`./${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, execArgv: [] };
  return { url: new URL(`./${name}.ts`, import.meta.url), execArgv: ['--import', new URL('../output/ts-worker-register.mjs', import.meta.url).href] };
}

/**
 * The slimmed R4 base as text (baseDefinitionsText) for the workers. Made in a thread of its own that ends once it
 * has answered, unless this thread has the definitions already: reading the 40 MiB of bundles here left about
 * 110 MiB of garbage that V8 did not collect while the workers loaded (this thread allocates little then), and
 * that was the peak of a `--jobs 2` run (issue 13). Rejects with the thread's error if it fails.
 */
export function baseTextInThread(): Promise<string> {
  if (baseDefinitionsLoaded()) return Promise.resolve(baseDefinitionsText());
  const entry = workerEntry('base-worker');
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry.url, { execArgv: entry.execArgv });
    worker.once('message', (text: string) => {
      resolve(text);
      void worker.terminate();
    });
    worker.once('error', (error) => reject(workerFailed('validate base-definitions worker', error)));
    worker.once('exit', (code) => reject(new Error(`validate base-definitions worker stopped (exit code ${code}) before it answered`)));
  });
}

/**
 * Validates units in `jobs` worker threads (each loads the packages once and reads the shared key
 * tables), handing out units as workers free up. Issues are returned in unit order, so the result does
 * not depend on which worker was faster; coverage states come one per worker, to merge. An error in a
 * worker (a UserError such as an unreadable file, or a bug) is rethrown here and the workers stopped.
 */
export async function validateUnitsInWorkers(
  units: WorkUnit[],
  keys: [KeySet, KeySet],
  options: WorkersOptions,
): Promise<{ issues: Issue[]; coverage: CoverageState[][]; skippedInvariants: Map<string, string> }> {
  const entry = workerEntry('validate-worker');
  const setup: WorkerSetup = { igs: options.igs, packagesDir: options.packagesDir, coverage: options.coverage, keys: keys[0].buffer, entryKeys: keys[1].buffer, base: await baseTextInThread() };
  const count = Math.max(1, Math.min(options.jobs, units.length));
  const resourceLimits = { maxOldGenerationSizeMb: heapFor(units), maxYoungGenerationSizeMb: 16 };
  const workers = Array.from({ length: count }, () => new Worker(entry.url, { workerData: setup, execArgv: entry.execArgv, resourceLimits }));
  setup.base = ''; // each worker has its copy: the 20 MiB string need not stay in this thread
  const perUnit: Issue[][] = new Array(units.length);
  const coverage: CoverageState[][] = [];
  const skipped: [string, string][][] = new Array(count);
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker, w) =>
          new Promise<void>((resolve, reject) => {
            let inFlight = 0;
            const feed = () => {
              while (inFlight < PER_WORKER && next < units.length) {
                worker.postMessage({ index: next, unit: units[next++] });
                inFlight++;
              }
              if (inFlight === 0) worker.postMessage('finish');
            };
            worker.on('message', (answer: WorkerAnswer) => {
              if ('error' in answer) {
                reject(answer.error.name === 'UserError' ? new UserError(answer.error.message) : Object.assign(new Error(answer.error.message), { stack: answer.error.stack }));
              } else if ('unit' in answer) {
                perUnit[answer.unit] = answer.issues;
                options.onUnit(answer.resources);
                inFlight--;
                feed();
              } else {
                coverage[w] = answer.coverage;
                skipped[w] = answer.skippedInvariants;
                resolve();
              }
            });
            // A worker that fails outside a unit (its module does not load, it runs out of memory): named, its stack kept.
            worker.on('error', (error) => reject(workerFailed(`validate worker ${w}`, error)));
            worker.on('exit', (code) => reject(new Error(`validate worker ${w} stopped (exit code ${code}) before it finished`)));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const skippedInvariants = new Map<string, string>();
  for (const list of skipped) for (const [k, v] of list ?? []) if (!skippedInvariants.has(k)) skippedInvariants.set(k, v);
  return { issues: perUnit.flat(), coverage, skippedInvariants };
}

/** A worker's old-generation limit (MiB): WORKER_HEAP_MB, plus ten times the largest JSON file it may parse whole. */
export function heapFor(units: readonly WorkUnit[]): number {
  let largest = 0;
  for (const u of units) if (!u.file.endsWith('.ndjson')) largest = Math.max(largest, statSync(u.file).size);
  return WORKER_HEAP_MB + Math.ceil((10 * largest) / 2 ** 20);
}
