import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { isResourceType } from '@medplum/core';
import { workerFailed } from '../../util/worker-failed.js';
import { failureText, storeLine, yieldUnlessAborted, type LoadResult, type NdjsonLoader } from '../load.js';
import type { SqliteRepository } from './sqlite-repository.js';

/**
 * A worker's answer for one chunk (bulk-worker.ts): `lines` is how many lines the chunk held; per non-blank line,
 * its number in the chunk (1-based), its text (trimmed: for the ordinary path), and the row to append (type, id,
 * stored text, keys as a JSON array), its type empty when the line must take the ordinary path.
 */
export interface ChunkRows {
  lines: number;
  line: number[];
  source: string[];
  type: string[];
  id: string[];
  text: string[];
  keys: string[];
}

/** Bytes of NDJSON per chunk (whole lines; a longer line makes its chunk larger): one transaction each. */
const CHUNK_BYTES = 2 << 20;
/** Chunks read ahead of the one being stored, per worker: keeps the workers busy, bounds memory. */
const AHEAD_PER_WORKER = 2;
/** V8 heap limits of a worker (MiB): a chunk's lines, objects and texts are a few MiB. */
const WORKER_HEAP = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 };

export interface BulkLoader {
  /** loadDirectory's NDJSON loader (see createBulkLoader). */
  loadNdjson: NdjsonLoader;
  /** Ends the worker threads (if any were started). */
  close(): Promise<void>;
}

/**
 * The NDJSON loader of the SQLite store's first build (`repo` between beginBulk and endBulk): worker threads parse
 * each chunk of a file and make each line's stored text and index keys; this thread only appends them, a chunk per
 * transaction, in the file's order (so `seq` and the stored result are those of the line-by-line loader). A line
 * the workers leave (not JSON, no resourceType or id, an unknown resource type, an id met before) takes the
 * line-by-line loader's path, with the same result or recorded error (`name:line: why`). Between chunks an aborted
 * signal stops the load with Interrupted. The workers (`workers`, default one per core up to 4) start with the
 * first file; a worker that fails (its module does not load, it runs out of memory) fails the load with an Error
 * naming it. `chunkBytes` (default 2 MiB) is for tests.
 */
export function createBulkLoader(repo: SqliteRepository, { workers = Math.min(4, availableParallelism()), chunkBytes = CHUNK_BYTES } = {}): BulkLoader {
  let pool: Pool | undefined;
  const resourceTypes = new Map<string, boolean>();
  const known = (type: string) => resourceTypes.get(type) ?? (resourceTypes.set(type, isResourceType(type)), resourceTypes.get(type)!);

  const store = async (rows: ChunkRows, first: number, name: string, result: LoadResult) => {
    for (let i = 0; i < rows.line.length; i++) {
      const type = rows.type[i]!;
      let appending = Boolean(type) && known(type);
      try {
        if (!(appending && repo.appendVersion(type, rows.id[i]!, rows.text[i]!, rows.keys[i]!))) {
          appending = false;
          await storeLine(rows.source[i]!, repo);
        }
        result.loaded++;
      } catch (error) {
        // storeLine's errors are written as the line's failure already; appendVersion's are SQLite's.
        result.errors.push(`${name}:${first + rows.line[i]!}: ${appending ? failureText(error) : (error as Error).message}`);
      }
    }
  };

  const loadNdjson: NdjsonLoader = async (file, name, result, signal) => {
    pool ??= new Pool(Math.max(1, workers));
    const input = await open(file, 'r');
    const ahead: Promise<ChunkRows>[] = [];
    try {
      const chunks = readChunks(input, chunkBytes);
      let done = false;
      let lines = 0;
      for (;;) {
        while (!done && ahead.length < pool.size * AHEAD_PER_WORKER) {
          const next = await chunks.next();
          if (next.done) done = true;
          else ahead.push(pool.submit(next.value));
        }
        const answer = ahead.shift();
        if (!answer) break;
        const rows = await answer;
        await repo.withTransaction(() => store(rows, lines, name, result));
        lines += rows.lines;
        await yieldUnlessAborted(signal);
      }
    } finally {
      await input.close();
    }
  };

  return { loadNdjson, close: async () => pool?.close() };
}

/** The file's bytes in chunks of whole lines (the last may lack its line break), each in a buffer of its own. */
async function* readChunks(input: Awaited<ReturnType<typeof open>>, chunkBytes: number): AsyncGenerator<Uint8Array> {
  let carry = Buffer.alloc(0);
  let size = chunkBytes;
  for (;;) {
    const buffer = Buffer.allocUnsafeSlow(Math.max(size, carry.length * 2));
    carry.copy(buffer);
    const { bytesRead } = await input.read(buffer, carry.length, buffer.length - carry.length, null);
    const filled = carry.length + bytesRead;
    if (bytesRead === 0) {
      if (filled) yield buffer.subarray(0, filled);
      return;
    }
    const end = buffer.lastIndexOf(10, filled - 1);
    if (end < 0) {
      // A line longer than the buffer: read on into a larger one.
      carry = buffer.subarray(0, filled);
      size = buffer.length * 2;
      continue;
    }
    carry = Buffer.from(buffer.subarray(end + 1, filled));
    size = chunkBytes;
    yield buffer.subarray(0, end + 1);
  }
}

/** The worker threads, each answering its chunks in the order sent. */
class Pool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<Worker, { resolve: (rows: ChunkRows) => void; reject: (error: Error) => void }[]>();
  private failure: Error | undefined;
  private closing = false;

  constructor(readonly size: number) {
    const entry = workerEntry();
    this.workers = Array.from({ length: size }, () => new Worker(entry.url, { execArgv: entry.execArgv, resourceLimits: WORKER_HEAP }));
    for (const [n, worker] of this.workers.entries()) {
      this.waiting.set(worker, []);
      worker.on('message', (rows: ChunkRows) => this.waiting.get(worker)!.shift()?.resolve(rows));
      worker.on('error', (error) => this.fail(workerFailed(`store load worker ${n}`, error)));
      worker.on('exit', (code) => this.fail(new Error(`a store load worker stopped (exit code ${code})`)));
    }
  }

  /** Sends a chunk (its buffer moves to the worker) to the worker with the fewest chunks waiting. */
  submit(bytes: Uint8Array): Promise<ChunkRows> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.workers.reduce((a, b) => (this.waiting.get(b)!.length < this.waiting.get(a)!.length ? b : a));
    const answer = new Promise<ChunkRows>((resolve, reject) => this.waiting.get(worker)!.push({ resolve, reject }));
    // Awaited in order by the loader; one left behind (the file failed first) must not be an unhandled rejection.
    answer.catch(() => undefined);
    worker.postMessage({ bytes }, [bytes.buffer as ArrayBuffer]);
    return answer;
  }

  private fail(error: Error): void {
    if (this.closing) return;
    this.failure ??= error;
    for (const queue of this.waiting.values()) for (const { reject } of queue.splice(0)) reject(this.failure);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** bulk-worker.js beside this module in dist/; under vitest (TypeScript sources) bulk-worker.ts through the TS hooks. */
function workerEntry(): { url: URL; execArgv: string[] } {
  const js = new URL('./bulk-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, execArgv: [] };
  return { url: new URL('./bulk-worker.ts', import.meta.url), execArgv: ['--import', new URL('../../output/ts-worker-register.mjs', import.meta.url).href] };
}
