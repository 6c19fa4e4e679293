import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { getStatus, isOk, normalizeOperationOutcome, operationOutcomeToString } from '@medplum/core';
import type { FhirRouter } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { Interrupted, UserError } from '../util/errors.js';
import { jsonSyntaxError } from '../util/json-text.js';
import type { AtomicMemoryRepository } from './router.js';
import { plainPuts } from './store/bulk-text.js';
import { processBundle } from './transaction.js';

export interface LoadResult {
  loaded: number;
  errors: string[];
}

/** fhirseed's own non-FHIR files in an output directory. */
const NOT_FHIR = /^(manifest|test-accounts|brands)(\.shard-\d+-of-\d+)?\.json$/;
/** The seeder's checkpoint and dead letters (failed entries are not data to serve), the sandbox's own store and its registered clients (serve-state). */
const NOT_DATA_DIRS = new Set(['seed-state', 'sandbox-store', 'serve-state']);
/** NDJSON lines stored per transaction: one commit per batch instead of per resource. */
const NDJSON_BATCH = 1000;

/**
 * Loads one JSON file (`name` relative to the directory) into `result` as loadJson would, or returns false to leave
 * it to loadJson; `ahead` lists the JSON files that follow, in load order (see loadDirectory), and `left` counts them
 * all.
 */
export type JsonLoader = (file: string, name: string, result: LoadResult, ahead: string[], left: number) => Promise<boolean>;
/** How many of the following JSON files a JsonLoader is told of. */
const JSON_AHEAD = 8;

/** Loads one NDJSON file (`name` relative to the directory) into `result`, as loadNdjson does (see loadDirectory). */
export type NdjsonLoader = (file: string, name: string, result: LoadResult, signal: AbortSignal | undefined) => Promise<void>;

/**
 * Preloads a directory: transaction/batch Bundles (each processed as such), NDJSON (one resource a
 * line) and single resource files. When fhirseed output has both bundles/ and ndjson/, only the
 * bundles are loaded (they hold the same resources). A failing file or line is recorded and the
 * rest still load. Between files and NDJSON batches the event loop runs (SIGINT/SIGTERM handlers among it): once
 * `signal` is aborted the load stops there with Interrupted (a batch is one transaction: none is half stored).
 * `ndjson` loads the NDJSON files instead of the line-by-line loader, and `json` is offered each JSON file first
 * (the SQLite store's first build: bulk-load.ts).
 */
export async function loadDirectory(
  dir: string,
  router: FhirRouter,
  repo: AtomicMemoryRepository,
  signal?: AbortSignal,
  ndjson?: NdjsonLoader,
  json?: JsonLoader,
): Promise<LoadResult> {
  const files = dataFiles(dir);
  const hasBundles = files.some((f) => relative(dir, f).startsWith(`bundles/`) && f.endsWith('.json'));
  const result: LoadResult = { loaded: 0, errors: [] };
  const loaded = orderFiles(files).filter((file) => {
    const name = relative(dir, file);
    return !NOT_FHIR.test(name) && !(hasBundles && name.startsWith('ndjson/'));
  });
  const jsonFiles = loaded.filter((file) => file.endsWith('.json'));
  let jsonDone = 0;
  for (const file of loaded) {
    const name = relative(dir, file);
    await yieldUnlessAborted(signal);
    try {
      if (file.endsWith('.ndjson')) await (ndjson ?? ((f, n, r, s) => loadNdjson(f, n, repo, r, s)))(file, name, result, signal);
      else if (file.endsWith('.json')) {
        jsonDone++;
        if (!(await json?.(file, name, result, jsonFiles.slice(jsonDone, jsonDone + JSON_AHEAD), jsonFiles.length - jsonDone))) {
          await loadJson(file, name, router, repo, result);
        }
      }
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      result.errors.push(loadFailure(name, undefined, error));
    }
  }
  await yieldUnlessAborted(signal);
  return result;
}

/**
 * Lets the event loop run (a load is otherwise one unbroken chain of synchronous SQLite writes, in which no signal
 * is handled), then throws Interrupted if `signal` is aborted.
 */
export async function yieldUnlessAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new Interrupted('interrupted while loading the data; nothing served, the data files as they were');
}

/**
 * Every file under `dir` that loadDirectory may read (not seed-state/ or sandbox-store/). Throws UserError when
 * `dir` is not a readable directory.
 */
export function dataFiles(dir: string): string[] {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    return listFiles(dir);
  } catch (error) {
    throw new UserError(`cannot read the directory ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

async function loadJson(file: string, name: string, router: FhirRouter, repo: AtomicMemoryRepository, result: LoadResult): Promise<void> {
  const resource = parseResource(readFileSync(file, 'utf8'));
  if (resource.resourceType === 'Bundle' && resource.type === 'transaction' && plainPuts(resource)) {
    // fhirseed's own bundles: PUT Type/id of resources with that id. Stored straight into the repository,
    // all or nothing per file, at ~3× the speed of the router's transaction processing.
    const entries = resource.entry ?? [];
    try {
      await repo.withTransaction(async () => {
        for (const e of entries) await store(e.resource as Resource, repo);
      });
      result.loaded += entries.length;
    } catch (error) {
      throw new Error(`transaction not loaded: ${(error as Error).message}`);
    }
    return;
  }
  if (resource.resourceType === 'Bundle' && (resource.type === 'transaction' || resource.type === 'batch')) {
    const [outcome, response] = await processBundle(router, repo, resource);
    if (!isOk(outcome)) throw new Error(describe(outcome));
    (response as Bundle | undefined)?.entry?.forEach((entry, i) => {
      if (entry.response?.status?.startsWith('2')) result.loaded++;
      else result.errors.push(`${name}: entry ${i}: ${entry.response?.outcome ? describe(entry.response.outcome as OperationOutcome) : entry.response?.status}`);
    });
    return;
  }
  const resources = resource.resourceType === 'Bundle' ? (resource.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])) : [resource];
  for (const r of resources) await store(r, repo);
  result.loaded += resources.length;
}

/** Streams the file line by line and stores it in batches, each one transaction; a bad line is recorded and skipped. */
async function loadNdjson(file: string, name: string, repo: AtomicMemoryRepository, result: LoadResult, signal: AbortSignal | undefined): Promise<void> {
  const input = createReadStream(file, 'utf8');
  try {
    await loadNdjsonLines(createInterface({ input, crlfDelay: Infinity }), name, repo, result, undefined, signal);
  } finally {
    input.destroy();
  }
}

/**
 * Stores NDJSON lines (a file's, or a download's for `$import`) in batches of NDJSON_BATCH, each one
 * transaction (run through `serialise` when the server is already answering requests); a bad line is
 * recorded as `name:line: why` and skipped. After each batch, an aborted `signal` stops it with Interrupted.
 */
export async function loadNdjsonLines(
  lines: AsyncIterable<string>,
  name: string,
  repo: AtomicMemoryRepository,
  result: LoadResult,
  serialise: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
  signal?: AbortSignal,
): Promise<void> {
  let batch: { line: number; text: string }[] = [];
  const flush = async () => {
    const taken = batch;
    batch = [];
    await serialise(() =>
      repo.withTransaction(async () => {
        for (const { line, text } of taken) {
          try {
            await store(parseResource(text), repo);
            result.loaded++;
          } catch (error) {
            result.errors.push(loadFailure(name, line, error));
          }
        }
      }),
    );
  };
  let line = 0;
  for await (const raw of lines) {
    line++;
    // Parsed untrimmed (JSON allows the blanks around): a line that is not JSON is then told at its own column.
    if (raw.trim()) batch.push({ line, text: raw });
    if (batch.length >= NDJSON_BATCH) {
      await flush();
      await yieldUnlessAborted(signal);
    }
  }
  await flush();
}

async function store(resource: Resource, repo: AtomicMemoryRepository): Promise<void> {
  try {
    if (resource.id) await repo.preload(resource);
    else await repo.createResource(resource);
  } catch (error) {
    throw new Error(failureText(error));
  }
}

/** Stores one NDJSON line as loadNdjsonLines does; throws an Error whose message is the line's recorded failure. */
export async function storeLine(text: string, repo: AtomicMemoryRepository): Promise<void> {
  await store(parseResource(text), repo);
}

/** How a failed store of a resource is recorded (`500 the sandbox store is full …`). */
export function failureText(error: unknown): string {
  return describe(normalizeOperationOutcome(error));
}

/**
 * A data file, or an NDJSON line, that is not JSON: where the parser stopped (1-based line and column within the text
 * parsed) and why, in the words of validate and report (util/json-text.ts jsonSyntaxError). loadFailure places it.
 */
export class NotJson extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly why: string,
  ) {
    super(`${line}:${column}: not JSON (${why})`);
  }
}

/**
 * How a file's or an NDJSON line's failure to load is recorded: `NAME:LINE:COLUMN: not JSON (why)` for text that is
 * not JSON (as validate and report say it: `bundles/member-000001.json:1:101: not JSON (Unterminated string)`), else
 * `NAME:LINE: why` for a line (`line`, 1-based, of an NDJSON file) or `NAME: why` for a whole file.
 */
export function loadFailure(name: string, line: number | undefined, error: unknown): string {
  if (error instanceof NotJson) return `${name}:${line ?? error.line}:${error.column}: not JSON (${error.why})`;
  return `${name}${line === undefined ? '' : `:${line}`}: ${(error as Error).message}`;
}

function parseResource(text: string): Resource & { resourceType: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = jsonSyntaxError(text, error as Error);
    throw new NotJson(at.line, at.column, at.why);
  }
  const resource = value as { resourceType?: unknown };
  if (typeof resource !== 'object' || resource === null || typeof resource.resourceType !== 'string') {
    throw new Error('not a FHIR resource (no resourceType)');
  }
  return value as Resource;
}

function describe(outcome: OperationOutcome): string {
  return `${getStatus(outcome)} ${operationOutcomeToString(outcome)}`;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return NOT_DATA_DIRS.has(e.name) ? [] : listFiles(path);
    return e.isFile() ? [path] : [];
  });
}

/** directory.json (and its parts) first (the shared practitioners and organizations others refer to), then by name. */
function orderFiles(files: string[]): string[] {
  const rank = (f: string) => (/\/directory(-\d+)?\.json$/.test(f) ? 0 : 1);
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
