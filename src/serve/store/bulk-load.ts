import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { isResourceType } from '@medplum/core';
import type { Bundle } from '@medplum/fhirtypes';
import { workerFailed } from '../../util/worker-failed.js';
import { failureText, loadFailure, storeLine, yieldUnlessAborted, type JsonLoader, type LoadResult, type NdjsonLoader } from '../load.js';
import { lineBreaks, readChunks, readWhole, requestKeys } from './bulk-read.js';
import { KEY_PARTS, splitLines } from './bulk-text.js';
import type { DatePlan } from './dates.js';
import type { SqliteRepository } from './sqlite-repository.js';

/**
 * A worker's answer for one NDJSON chunk (bulk-worker.ts): `lines` is how many lines the chunk held; per non-blank
 * line, its number in the chunk (1-based) and the row to append (type, id, stored text), its type empty when the
 * line must take the ordinary path; `bytes` is the chunk itself, sent back. The rows' keys stay in the worker.
 */
export interface ChunkRows {
  lines: number;
  line: number[];
  type: string[];
  id: string[];
  text: string[];
  /** Per row, its date rows under seq `base` + its place (bulk-text.ts seqRows: JSON array elements, '' when none). */
  dates: string[];
  /** Per row, its reference rows likewise. */
  refs: string[];
  bytes: Uint8Array;
}

/**
 * A worker's answer for one bundle file: `plain` when it is a transaction of plain PUTs (plainPuts), then a row per
 * entry as in ChunkRows (an empty type for an entry the ordinary path must take); `bytes` is the file, sent back.
 */
export interface BundleRows {
  plain: boolean;
  type: string[];
  id: string[];
  text: string[];
  dates: string[];
  refs: string[];
  bytes: Uint8Array;
}

/**
 * What the main thread sends a worker: a task (an NDJSON chunk of whole lines, or a whole bundle file, its buffer
 * moved to the worker), whose row N the main thread will append as seq `base` + N (the worker stages the row's keys
 * under it at once); `index` for each key range (KEY_PARTS) in order after the last, to sort the keys staged in that
 * range's file; `close`, last, to close its files and end.
 */
export type WorkerMessage =
  | { kind: 'lines' | 'bundle'; base: number; bytes: Uint8Array }
  | { kind: 'index'; part: number }
  | { kind: 'close' };

/**
 * How long close waits for a worker to end on its own before terminating it (ms): it ends once the tasks sent before
 * are done (at most BUNDLES_AHEAD bundles or AHEAD_PER_WORKER chunks: about a second at a load of 20).
 */
const CLOSE_WAIT = 30_000;
/** Bytes of NDJSON per chunk (whole lines; a longer line makes its chunk larger): one transaction each. */
const CHUNK_BYTES = 2 << 20;
/** Chunks read ahead of the one being stored, per worker: keeps the workers busy, bounds memory. */
const AHEAD_PER_WORKER = 2;
/** JSON files read and parsed ahead of the one being stored (fhirseed's bundles: ~1 MB, 500 entries at most). */
const BUNDLES_AHEAD = 8;
/**
 * Fewer JSON files than this (after the first) load on the main thread, without starting the threads: about 60
 * members' bundles, which the main thread loads in about the time two workers take to start on a busy machine.
 */
const MIN_JSON_FILES = 64;
/**
 * V8 heap limits of a worker (MiB): a chunk's lines, objects and texts are a few MiB. A chunk's rows live until its
 * answer is sent, so with a young generation of 32 MiB each scavenge copied ~10 MiB of them: 64 MiB took 14 % less of
 * a worker's CPU (EOB, Observation and Condition lines, 89-91 → 76 µs a line; 96 and 192 MiB no better).
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 64 };

export interface BulkLoader {
  /** loadDirectory's NDJSON loader (see createBulkLoader). */
  loadNdjson: NdjsonLoader;
  /** loadDirectory's loader of JSON files (see createBulkLoader). */
  loadJson: JsonLoader;
  /**
   * After the last file: the workers index their staged keys one key range at a time (in parallel), and each range,
   * once indexed by every worker, is merged into `idx` in key order while they index the next (before endBulk).
   * Without it, no staged key reaches the store.
   */
  finish(): Promise<void>;
  /** Ends the worker threads (if any were started) and removes their files. */
  close(): Promise<void>;
}

/**
 * The loaders of the SQLite store's first build (`repo` between beginBulk and endBulk): worker threads parse each
 * chunk of an NDJSON file, and each bundle file, and make each resource's stored text and index keys; this thread
 * only appends the texts, an NDJSON chunk or a bundle per transaction, in the files' order (so the order of `seq` and
 * the stored result are those of loadDirectory's own loaders). Each task's rows are numbered ahead: row N of a task is
 * appended as seq `base` + N, the bases rising with the files' order by at least the task's rows (seqs have gaps; a
 * store reader uses them for order and identity only), so the worker stages their keys at once, without a round trip,
 * in files of its own, one per key range (`keysAt`-keys-N-P; default a temporary folder), indexes them at
 * `finish` range by range, and this thread merges each range's sorted keys into `idx` (no sort on this thread) as
 * soon as every worker has indexed it, while the workers index the next, leaving out the seqs no row was appended as
 * (a row the ordinary path took; a failed transaction; a task whose base the store's seqs had passed, by files that
 * loadDirectory took between, whose rows then all take the ordinary path). A line or entry the workers leave (not
 * JSON, no resourceType or id, an unknown resource type, an id met before) takes the ordinary path, with the same
 * result or recorded error (`name:line: why`; a bundle is then stored all or nothing as before: `name: transaction
 * not loaded: why`); a JSON file that is not a transaction of plain PUTs, or larger than MAX_BUNDLE_BYTES
 * (bulk-read.ts), is left to loadDirectory, and so are all of them when the first has fewer than `minJsonFiles`
 * (default MIN_JSON_FILES) after it. Between chunks an aborted signal stops the load with Interrupted. The workers
 * (`workers`, default one per core up to 4) start with the first file; a worker that fails (its module does not load,
 * it runs out of memory, its file cannot be written) fails the load with an Error naming it. `chunkBytes` (default
 * 2 MiB) is for tests.
 */
export function createBulkLoader(
  repo: SqliteRepository,
  {
    workers = Math.min(4, availableParallelism()),
    chunkBytes = CHUNK_BYTES,
    keysAt,
    minJsonFiles = MIN_JSON_FILES,
  }: { workers?: number; chunkBytes?: number; keysAt?: string; minJsonFiles?: number } = {},
): BulkLoader {
  let pool: Pool | undefined;
  let folder: string | undefined;
  const started = () => {
    if (!pool) {
      folder = keysAt ? undefined : mkdtempSync(join(tmpdir(), 'fhirseed-keys-'));
      pool = new Pool(Math.max(1, workers), keysAt ?? join(folder!, 'store'), repo.datePlan);
      next = repo.lastSeq() + 1;
    }
    return pool;
  };
  /** The next task's base (see WorkerMessage): at least one above every seq given or numbered ahead. */
  let next = 0;
  /** The seqs numbered ahead but not appended as: their staged keys are not a stored row's. */
  const unstaged: number[] = [];
  /** The bundle files' reads, one after the other, so that their bases rise in the files' order. */
  let reading: Promise<unknown> = Promise.resolve();
  /**
   * The base of a task of at most `rows` rows (taken from `next`). No store call here: a bundle's is numbered when its
   * read ends, which may be after the load stopped and the store closed (libsql then panics).
   */
  const numbered = (rows: number) => {
    const base = next;
    next += rows;
    return base;
  };
  const resourceTypes = new Map<string, boolean>();
  const known = (type: string) => resourceTypes.get(type) ?? (resourceTypes.set(type, isResourceType(type)), resourceTypes.get(type)!);
  /** Bundle files read and sent to the workers ahead (undefined: too large, loadDirectory's path). */
  const bundles = new Map<string, Promise<Answer<BundleRows> | undefined>>();

  /**
   * Stores row `i` as seq `base` + i (the workers' text; `ahead` false: the store's seqs passed the base), or takes
   * the ordinary path (`fallback`), that seq then left out of the merge.
   */
  const storeRow = async (rows: ChunkRows | BundleRows, i: number, base: number, ahead: boolean, fallback: () => Promise<void>): Promise<void> => {
    const type = rows.type[i]!;
    // '[]': its date and reference rows (made under seq base + i) are stored with the transaction's others (pending).
    if (ahead && type && known(type) && repo.appendText(type, rows.id[i]!, rows.text[i]!, '[]', base + i)) {
      if (rows.dates[i]) pending.dates.push(rows.dates[i]!);
      if (rows.refs[i]) pending.refs.push(rows.refs[i]!);
      return;
    }
    unstaged.push(base + i);
    // Before the ordinary path writes: it may give a pending row's resource a new version (an id met again), whose
    // rows then replace the pending ones.
    storePending();
    await fallback();
  };

  /** The appended rows' date and reference rows not stored yet: stored by storePending, in the same transaction. */
  const pending = { dates: [] as string[], refs: [] as string[] };
  const storePending = () => {
    if (pending.dates.length || pending.refs.length) repo.appendRows(`[${pending.dates.join(',')}]`, `[${pending.refs.join(',')}]`);
    pending.dates = [];
    pending.refs = [];
  };

  /**
   * Runs `write` as one transaction, told whether the task's base is still above every seq given (else each row takes
   * the ordinary path); when it fails, none of the task's seqs holds a row.
   */
  const transaction = async (answer: Answer<ChunkRows | BundleRows>, write: (ahead: boolean) => Promise<void>) => {
    try {
      await repo.withTransaction(async () => {
        const last = repo.lastSeq();
        // Passed (see storeRow): the tasks numbered from here on start above it.
        if (last >= answer.base) next = Math.max(next, last + 1);
        pending.dates = [];
        pending.refs = [];
        await write(last < answer.base);
        storePending();
      });
    } catch (error) {
      for (let i = 0; i < answer.rows.type.length; i++) unstaged.push(answer.base + i);
      throw error;
    }
  };

  const storeLines = async (rows: ChunkRows, base: number, ahead: boolean, first: number, name: string, result: LoadResult) => {
    let lines: string[] | undefined;
    const fallback = (i: number) => async () => {
      lines ??= splitLines(Buffer.from(rows.bytes.buffer, rows.bytes.byteOffset, rows.bytes.byteLength).toString('utf8'));
      await storeLine(lines[rows.line[i]! - 1]!, repo);
    };
    for (let i = 0; i < rows.line.length; i++) {
      let appending = true;
      try {
        await storeRow(rows, i, base, ahead, async () => {
          appending = false;
          await fallback(i)();
        });
        result.loaded++;
      } catch (error) {
        // storeLine's errors are written as the line's failure already; appendText's are SQLite's.
        result.errors.push(appending ? `${name}:${first + rows.line[i]!}: ${failureText(error)}` : loadFailure(name, first + rows.line[i]!, error));
      }
    }
  };

  const loadNdjson: NdjsonLoader = async (file, name, result, signal) => {
    const workers = started();
    const input = await open(file, 'r');
    const ahead: Promise<Answer<ChunkRows>>[] = [];
    try {
      const reader = readChunks(input, chunkBytes);
      let done = false;
      let lines = 0;
      for (;;) {
        while (!done && ahead.length < workers.size * AHEAD_PER_WORKER) {
          const next = await reader.next();
          if (next.done) done = true;
          else ahead.push(workers.submit<ChunkRows>({ kind: 'lines', base: numbered(lineBreaks(next.value) + 1), bytes: next.value }));
        }
        const next = ahead.shift();
        if (!next) break;
        const answer = await next;
        await transaction(answer, (fresh) => storeLines(answer.rows, answer.base, fresh, lines, name, result));
        lines += answer.rows.lines;
        await yieldUnlessAborted(signal);
      }
    } finally {
      await input.close();
    }
  };

  const submitBundle = (file: string) => {
    if (bundles.has(file)) return;
    // Wrapped: the read resolves once the task is sent, the answer when the worker has made it.
    const read = reading
      .then(() => readWhole(file))
      .then((bytes) => (bytes ? { answer: pool!.submit<BundleRows>({ kind: 'bundle', base: numbered(requestKeys(bytes) + 1), bytes }) } : undefined));
    reading = read.catch(() => undefined);
    const answer = read.then((sent) => sent?.answer);
    // Awaited when its file's turn comes; one left behind (the load stopped first) must not be an unhandled rejection.
    answer.catch(() => undefined);
    bundles.set(file, answer);
  };

  const loadJson: JsonLoader = async (file, name, result, ahead, left) => {
    // A few bundles (a small population, the tests' outputs) load sooner there than threads start.
    if (!pool && left < minJsonFiles) return false;
    started();
    submitBundle(file);
    for (const next of ahead.slice(0, BUNDLES_AHEAD)) submitBundle(next);
    const answer = await bundles.get(file)!;
    bundles.delete(file);
    if (!answer) return false;
    const { rows } = answer;
    if (!rows.plain) return false;
    let entries: Bundle['entry'];
    const fallback = (i: number) => async () => {
      entries ??= (JSON.parse(Buffer.from(rows.bytes.buffer, rows.bytes.byteOffset, rows.bytes.byteLength).toString('utf8')) as Bundle).entry!;
      await storeLine(JSON.stringify(entries[i]!.resource), repo);
    };
    try {
      await transaction(answer, async (fresh) => {
        for (let i = 0; i < rows.type.length; i++) {
          let appending = true;
          try {
            await storeRow(rows, i, answer.base, fresh, async () => {
              appending = false;
              await fallback(i)();
            });
          } catch (error) {
            throw appending ? new Error(failureText(error)) : error;
          }
        }
      });
      result.loaded += rows.type.length;
    } catch (error) {
      throw new Error(`transaction not loaded: ${(error as Error).message}`);
    }
    return true;
  };

  const finish = async () => {
    if (!pool) return;
    // Distinct seqs: a staged key is left out when its row was not appended as its seq, or was given a new version.
    const replaced = [...new Set([...repo.bulkReplaced(), ...unstaged])];
    // Every range asked for at once: each worker indexes them in order, while this thread merges those done.
    const indexed = KEY_PARTS.map((_, part) => pool!.index(part));
    // Each range's files (gigabytes in all at 10,000 members) are removed once merged, by libuv's threads while this
    // one merges the next range: left to the first seconds of serving, their unlinking took a core from the first
    // requests (a 10,000-member server's first 16-client p95 about twice a restarted one's).
    const removed: Promise<void>[] = [];
    for (const [part, done] of indexed.entries()) {
      const files = await done;
      mergeKeys(repo, files, replaced, part);
      removed.push(...files.map((file) => rm(file, { force: true })));
    }
    await Promise.all(removed);
  };

  const close = async () => {
    await pool?.close();
    // What finish did not remove (a build that stopped before it, the temporary folder): removed while the store
    // starts or stops, at the latest as the process exits (a stop leaves only the store).
    const files = [...(pool?.files ?? []), ...(folder ? [folder] : [])];
    const atExit = () => files.forEach((file) => rmSync(file, { recursive: true, force: true }));
    process.once('exit', atExit);
    void Promise.all(files.map((file) => rm(file, { recursive: true, force: true }))).then(
      () => process.off('exit', atExit),
      () => undefined,
    );
  };

  return { loadNdjson, loadJson, finish, close };
}

/**
 * Copies one key range of the workers' staged keys (each file's `stage`, indexed in key order) into `idx` as one
 * merge of ordered scans (SQLite's MERGE of UNION ALL: no sort), leaving out the seqs given a new version during the
 * build (`replaced`: their current keys are in `idx` already). The ranges, merged in order, append to `idx` in order.
 */
function mergeKeys(repo: SqliteRepository, files: string[], replaced: number[], part: number): void {
  const skip = replaced.length ? ' WHERE seq NOT IN (SELECT value FROM json_each(?))' : '';
  const names = files.map((_, n) => `keys${part}_${n}`);
  files.forEach((file, n) => repo.db.prepare('ATTACH ? AS ?').run(file, names[n]));
  try {
    const arms = names.map((name) => `SELECT k, seq FROM ${name}.stage${skip}`).join(' UNION ALL ');
    repo.db.prepare(`INSERT OR IGNORE INTO idx (k, seq) ${arms} ORDER BY 1, 2`).run(...(skip ? names.map(() => JSON.stringify(replaced)) : []));
  } finally {
    for (const name of names) repo.db.exec(`DETACH ${name}`);
  }
}

/** A worker's answer to a task, with which worker made it and the task's base. */
interface Answer<T> {
  worker: number;
  base: number;
  rows: T;
}

/**
 * The worker threads, each answering its tasks in the order sent; worker N stages its keys in `FILE-N-P`, one file
 * per key range P (`files` lists them all).
 */
class Pool {
  private readonly workers: Worker[];
  readonly files: string[];
  private readonly prefixes: string[];
  private readonly waiting = new Map<Worker, { resolve: (answer: unknown) => void; reject: (error: Error) => void }[]>();
  private failure: Error | undefined;
  private closing = false;
  /** Each worker's end (its 'exit'), whatever the reason. */
  private readonly exits: Promise<void>[];

  constructor(
    readonly size: number,
    keysAt: string,
    datePlan: DatePlan,
  ) {
    const entry = workerEntry();
    this.prefixes = Array.from({ length: size }, (_, n) => `${keysAt}-keys-${n}`);
    this.files = this.prefixes.flatMap((prefix) => KEY_PARTS.map((_, p) => `${prefix}-${p}`));
    for (const file of this.files) rmSync(file, { force: true });
    this.workers = this.prefixes.map((keys) => new Worker(entry.url, { execArgv: entry.execArgv, resourceLimits: WORKER_HEAP, workerData: { keys, datePlan } }));
    this.exits = this.workers.map((worker) => new Promise((resolve) => worker.once('exit', () => resolve())));
    for (const [n, worker] of this.workers.entries()) {
      this.waiting.set(worker, []);
      worker.on('message', (answer: unknown) => this.waiting.get(worker)!.shift()?.resolve(answer));
      worker.on('error', (error) => this.fail(workerFailed(`store load worker ${n}`, error)));
      worker.on('exit', (code) => this.fail(new Error(`a store load worker stopped (exit code ${code})`)));
    }
  }

  /** Sends a task (its buffer moves to the worker) to the worker with the fewest tasks waiting. */
  submit<T>(task: Extract<WorkerMessage, { bytes: Uint8Array }>): Promise<Answer<T>> {
    if (this.failure) return Promise.reject(this.failure);
    const n = this.workers.reduce((a, _, b) => (this.waiting.get(this.workers[b]!)!.length < this.waiting.get(this.workers[a]!)!.length ? b : a), 0);
    const answer = this.ask<T>(n, task, [task.bytes.buffer as ArrayBuffer]).then((rows) => ({ worker: n, base: task.base, rows }));
    // Awaited in order by the loader; one left behind (the file failed first) must not be an unhandled rejection.
    answer.catch(() => undefined);
    return answer;
  }

  /** Each worker indexes its staged keys of key range `part` (all at once): their files, closed. */
  async index(part: number): Promise<string[]> {
    if (this.failure) throw this.failure;
    await Promise.all(this.workers.map((_, n) => this.ask(n, { kind: 'index', part })));
    return this.workers.map((_, n) => `${this.prefixes[n]}-${part}`);
  }

  private ask<T>(n: number, message: WorkerMessage, transfer: ArrayBuffer[] = []): Promise<T> {
    const worker = this.workers[n]!;
    const answer = new Promise<T>((resolve, reject) => this.waiting.get(worker)!.push({ resolve: resolve as (answer: unknown) => void, reject }));
    worker.postMessage(message, transfer);
    return answer;
  }

  private fail(error: Error): void {
    if (this.closing) return;
    this.failure ??= error;
    for (const queue of this.waiting.values()) for (const { reject } of queue.splice(0)) reject(this.failure);
  }

  /**
   * Ends the workers, each closing its files once the tasks sent before are done. Not terminate(): a worker terminated
   * inside a call into libsql (opening its files at start-up, when a Ctrl-C stops the load early) makes the native
   * module panic (neon's `napi_create_external` meets the terminating isolate: `PendingException`), which aborts the
   * whole process, exit null instead of 130. Only a worker still busy after CLOSE_WAIT is terminated.
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.workers.map(async (worker, n) => {
        worker.postMessage({ kind: 'close' } satisfies WorkerMessage);
        const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT);
        await this.exits[n];
        clearTimeout(timer);
      }),
    );
  }
}

/** bulk-worker.js beside this module in dist/; under vitest (TypeScript sources) bulk-worker.ts through the TS hooks. */
function workerEntry(): { url: URL; execArgv: string[] } {
  const js = new URL('./bulk-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, execArgv: benchExecArgv() };
  return { url: new URL('./bulk-worker.ts', import.meta.url), execArgv: ['--import', new URL('../../output/ts-worker-register.mjs', import.meta.url).href] };
}

/**
 * Node flags for the load workers of a build from dist/, from `$FHIRSEED_WORKER_EXEC_ARGV` (space-separated, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them in the bench); none when it is unset or empty.
 */
function benchExecArgv(): string[] {
  return process.env.FHIRSEED_WORKER_EXEC_ARGV?.split(' ').filter(Boolean) ?? [];
}
