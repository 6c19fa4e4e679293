import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SearchParameter } from '@medplum/fhirtypes';
import { UserError } from '../../util/errors.js';
import { r4ResourceElements, readR4Resources } from '../r4-resources.js';
import type { Query } from '../search-extras.js';

/**
 * Who may see what in a search answered off the server thread (a function cannot cross to a worker): a patient
 * token's patient and granted types (patient-access.ts patientFilter), and the patient of a compartment search
 * (`Patient/ID/Type`).
 */
export interface ReadScope {
  patient?: { id: string; types: '*' | string[] };
  compartment?: string;
}

/** A search (as http.ts's search: `path` the request's path for the page links) or a plain read of `Type/id`. */
export type ReadRequest = { kind: 'search'; type: string; query: Query; base: string; path?: string; scope?: ReadScope } | { kind: 'read'; type: string; resourceId: string };

/** A request as a worker gets it, with the id its answer carries. */
export type ReadTask = ReadRequest & { id: number };

/**
 * A worker's answer: the HTTP status and body (UTF-8 JSON: the Bundle or resource, or an OperationOutcome); a read
 * also gives the version's id and lastUpdated for ETag and Last-Modified. A read of a resource that is not there is
 * a 404 with an empty body (the server thread answers it as the router would).
 */
export interface ReadAnswer {
  id: number;
  status: number;
  body: Uint8Array;
  versionId?: string;
  lastUpdated?: string;
}

/** Stores of fewer current resources than this get no read workers unless $FHIRSEED_READ_WORKERS asks for them. */
export const READ_WORKERS_FROM = 50_000;
const DEFAULT_WORKERS = 2;
/** Each worker holds R4's search parameters, its store's types' definitions (~10 MB of heap) and one page of answers at a time. */
const WORKER_HEAP = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 };

interface Slot {
  worker: Worker;
  ready: boolean;
  exited: boolean;
  waiting: Map<number, { resolve: (answer: ReadAnswer) => void; reject: (error: Error) => void }>;
}

/** How long close waits for a worker to close its connection and end (ms): a start or the searches sent before it. */
const CLOSE_WAIT = 30_000;

/**
 * Worker threads that answer searches and reads of the SQLite store (read-worker.ts), each with its own read-only
 * connection: SQLite in WAL mode lets them read while the server thread writes, and a read sees every write
 * committed before it began. They start in the background: until one is ready (and after all of them failed)
 * `run` answers undefined and the caller serves the request itself.
 */
export class ReadPool {
  private readonly slots: Slot[];
  private next = 1;
  private closed = false;
  /** How many workers are ready, once every one of them has started, or failed and stopped. */
  readonly started: Promise<number>;

  /**
   * `file`: the store (on disk, in WAL mode); `searchParameters`: the lists the server gave indexSearchParameters,
   * in that order (the workers index the same); `size`: how many workers; `types`: the resource types the store holds
   * (their R4 definitions are handed to the workers).
   */
  constructor(file: string, searchParameters: SearchParameter[][], size: number, types: string[] = []) {
    const entry = workerEntry();
    // What the workers would otherwise each parse R4's 35 MB resource definitions for (read-worker.ts).
    const definitions = { elements: [...r4ResourceElements()], resources: readR4Resources(new Set(types)) };
    const starts: Promise<void>[] = [];
    this.slots = Array.from({ length: size }, () => {
      const worker = new Worker(entry.url, { execArgv: entry.execArgv, resourceLimits: WORKER_HEAP, workerData: { file, searchParameters, definitions } });
      // The server's own handles keep the process alive; a worker must not (Ctrl-C, a closed server).
      worker.unref();
      const slot: Slot = { worker, ready: false, exited: false, waiting: new Map() };
      let started = () => undefined as void;
      starts.push(new Promise<void>((resolve) => (started = resolve)));
      worker.on('message', (message: ReadAnswer | { ready: true }) => {
        if ('ready' in message) {
          slot.ready = true;
          started();
          return;
        }
        const waiter = slot.waiting.get(message.id);
        slot.waiting.delete(message.id);
        waiter?.resolve(message);
      });
      const fail = (error: Error) => {
        slot.ready = false;
        for (const waiter of slot.waiting.values()) waiter.reject(error);
        slot.waiting.clear();
      };
      worker.on('error', fail);
      // A worker that fails also exits: only then is it counted out.
      worker.on('exit', (code) => {
        slot.exited = true;
        started();
        fail(new Error(`a read worker stopped (exit code ${code})`));
      });
      return slot;
    });
    this.started = Promise.all(starts).then(() => this.slots.filter((slot) => slot.ready).length);
  }

  /** Whether some worker is ready. */
  get ready(): boolean {
    return this.slots.some((slot) => slot.ready);
  }

  /**
   * Sends the task to the ready worker with the fewest tasks waiting: its answer, or undefined when none is ready.
   * Rejects when that worker fails before answering (the caller may serve the request itself then).
   */
  run(task: ReadRequest): Promise<ReadAnswer> | undefined {
    if (this.closed) return undefined;
    let best: Slot | undefined;
    for (const slot of this.slots) if (slot.ready && (!best || slot.waiting.size < best.waiting.size)) best = slot;
    if (!best) return undefined;
    const id = this.next++;
    const slot = best;
    return new Promise<ReadAnswer>((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      slot.worker.postMessage({ ...task, id });
    });
  }

  /**
   * Stops the workers, each closing its connection first (the store's close can then fold the WAL in). A second
   * Ctrl-C meanwhile ends the process at once (bin.ts).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.slots.map(async ({ worker, exited: gone }) => {
        // One that stopped before (it failed) has nothing left to close.
        if (gone) return;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage({ kind: 'close' });
        // Terminated inside a libsql call (starting, or a long search), a worker takes the whole process down (neon's
        // PendingException panic, exit null instead of 130): only one still busy after CLOSE_WAIT is terminated.
        const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/**
 * The read workers asked for by $FHIRSEED_READ_WORKERS (0: none), undefined when it is not set. Throws UserError for
 * a value that is not a whole number from 0 to 64.
 */
export function readWorkersFromEnvironment(env = process.env.FHIRSEED_READ_WORKERS): number | undefined {
  if (env === undefined || env === '') return undefined;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new UserError(`$FHIRSEED_READ_WORKERS=${env}: expected a whole number from 0 to 64`);
  return n;
}

/** How many read workers for a store of `resources` current resources: `wanted` when given, else 2 from READ_WORKERS_FROM on. */
export function readWorkerCount(resources: number, wanted: number | undefined): number {
  return wanted ?? (resources >= READ_WORKERS_FROM ? DEFAULT_WORKERS : 0);
}

function workerEntry(): { url: URL; execArgv: string[] } {
  const js = new URL('./read-worker.js', import.meta.url);
  // $FHIRSEED_WORKER_EXEC_ARGV: node flags for the workers (e.g. `--cpu-prof --cpu-prof-dir=DIR`), as bulk-load.ts's.
  if (existsSync(fileURLToPath(js))) return { url: js, execArgv: process.env.FHIRSEED_WORKER_EXEC_ARGV?.split(' ').filter(Boolean) ?? [] };
  return { url: new URL('./read-worker.ts', import.meta.url), execArgv: ['--import', new URL('../../output/ts-worker-register.mjs', import.meta.url).href] };
}
