import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Parameters } from '@medplum/fhirtypes';
import { Interrupted, UserError } from '../util/errors.js';
import { fetchCapabilities } from './capabilities.js';
import { connect } from './connect.js';
import type { FhirHttpClient } from './http.js';
import { assertServerAllowed, normalizeServerUrl, type ConnectionOptions } from './options.js';
import { describeFailure } from './outcome.js';
import { readManifests } from './source.js';
import { verifyCounts, type VerifyRow } from './verify.js';
import { plural } from '../util/plural.js';

export interface ImportOptions extends ConnectionOptions {
  dir: string;
  /** Files already hosted: input URLs are `{inputBaseUrl}/{Type}.ndjson`, and no file server is started. */
  inputBaseUrl?: string;
  /** Where the seeder's file server listens, and the host name the FHIR server fetches from (default 127.0.0.1). */
  importHost: string;
  /** Its port (0: any free one). */
  importPort: number;
  verify: boolean;
  /**
   * Azure Health Data Services' `mode` parameter: when given, the kick-off is Azure's form (`inputFormat`, `mode`,
   * `input` parts with `type` and `url`, values as strings, no `inputSource`); otherwise the HL7 / HAPI form.
   */
  importMode?: ImportMode;
  /** Longest wait between polls, whatever Retry-After says (ms). */
  maxPollMs?: number;
}

export interface ImportSummary {
  server: string;
  runId: string;
  /** The input URLs the server was given, by type. */
  inputs: { type: string; url: string }[];
  statusUrl: string;
  /** Per type, what the server's completed job reports (undefined when it gives no count). */
  counts: { type: string; count: number | undefined }[];
  /** Errors the job reports (per resource or per file). */
  errors: string[];
  polls: number;
  elapsedMs: number;
  verify?: VerifyRow[];
  ok: boolean;
}

const NDJSON = 'application/fhir+ndjson';

/** Azure Health Data Services' import modes: InitialLoad for an empty server (API writes blocked), IncrementalLoad otherwise. */
export const IMPORT_MODES = ['InitialLoad', 'IncrementalLoad'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/**
 * `seed --mode import`: hands the output's NDJSON files to the server's bulk `$import` (HL7 Bulk Data
 * import, the Parameters form HAPI takes: inputFormat, inputSource, input parts with type and url; with
 * `importMode`, Azure Health Data Services' form, see `importParameters`),
 * serving the files from a temporary HTTP server here unless `inputBaseUrl` says where they already are;
 * `Prefer: respond-async`, then polls the Content-Location status URL, honouring Retry-After, until the
 * job completes; then verifies the counts under the run tag. Throws a UserError (exit 2) when the server
 * refuses the kick-off or the job fails (e.g. it cannot fetch an input URL); errors inside a completed
 * job are findings (ok false, exit 1). Interrupted (exit 130, importInterrupted) once `options.signal` aborts.
 */
export async function seedImport(options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const server = normalizeServerUrl(options.server);
  assertServerAllowed(server, options.production, 'seed');
  const { runId, expected } = readManifests(options.dir);
  const ndjsonDir = join(options.dir, 'ndjson');
  if (!existsSync(ndjsonDir) || !statSync(ndjsonDir).isDirectory()) throw new UserError(`${options.dir} has no ndjson/ directory; generate with --format ndjson for --mode import`);
  const files = readdirSync(ndjsonDir).filter((f) => f.endsWith('.ndjson') && statSync(join(ndjsonDir, f)).size > 0).sort();
  if (!files.length) throw new UserError(`${ndjsonDir} holds no .ndjson files to import`);
  const { client } = connect(options);
  const fileServer = options.inputBaseUrl ? undefined : await serveFiles(ndjsonDir, files, options.importHost, options.importPort);
  const job: { statusUrl?: string; completed?: boolean } = {};
  try {
    const base = options.inputBaseUrl?.replace(/\/+$/, '') ?? fileServer!.base;
    const inputs = files.map((f) => ({ type: f.slice(0, f.indexOf('.')), url: `${base}/${encodeURIComponent(f)}` }));
    const capabilities = await fetchCapabilities(client);
    if (capabilities.fhirVersion && !capabilities.fhirVersion.startsWith('4.0')) throw new UserError(`${server} is FHIR ${capabilities.fhirVersion}; fhirseed writes FHIR R4 (4.0.1)`);
    const statusUrl = await kickOff(client, server, importParameters(inputs, base, options.importMode));
    job.statusUrl = statusUrl;
    const { body, polls } = await poll(client, statusUrl, options).catch(async (error: unknown) => {
      if (!(error instanceof ImportJobFailed)) throw error;
      throw new UserError(`${error.message}${await failedJobHint(client, server, runId, expected)}`);
    });
    job.completed = true;
    const summary: ImportSummary = { server, runId, inputs, statusUrl, counts: jobCounts(body, inputs), errors: jobErrors(body), polls, elapsedMs: 0, ok: true };
    if (options.verify) summary.verify = await verifyCounts(client, runId, expected);
    summary.elapsedMs = Date.now() - started;
    summary.ok = summary.errors.length === 0 && (summary.verify ?? []).every((r) => r.ok);
    return summary;
  } catch (error) {
    if (options.signal?.aborted) throw importInterrupted(job, { server, runId, servedHere: fileServer !== undefined });
    throw error;
  } finally {
    await fileServer?.close();
    await client.close();
  }
}

/**
 * The one line (exit 130) for `seed --mode import` stopped by its AbortSignal: before the kick-off was answered (it runs
 * to its answer once sent), nothing was started; after, the job is not cancelled — it may run on, or fail for the files
 * this process no longer serves — and what it stores is tagged with the run (purge removes it); after the job completed,
 * only the verify was left.
 */
export function importInterrupted(job: { statusUrl?: string; completed?: boolean }, run: { server: string; runId: string; servedHere: boolean }): Interrupted {
  if (!job.statusUrl) return new Interrupted('interrupted before the $import job was started; nothing was loaded');
  if (job.completed) return new Interrupted(`interrupted while verifying; the $import job at ${job.statusUrl} had completed`);
  const after = run.servedHere ? ', but the files it had yet to fetch from here are no longer served' : ' and may still be running';
  return new Interrupted(
    `interrupted while the $import job at ${job.statusUrl} ran: it was not cancelled${after}; seed again, or remove what it stored with fhirseed purge --server ${run.server} --run ${run.runId}`,
  );
}

/**
 * The kick-off's Parameters. Without `mode`, the HL7 Bulk Data import / HAPI form: `inputFormat` (code), `inputSource`
 * (uri), one `input` per file with `type` (code) and `url` (uri). With `mode`, Azure Health Data Services' form as its
 * docs give it ("Import FHIR data", learn.microsoft.com/azure/healthcare-apis/fhir/import-data): `inputFormat` and
 * `mode` as valueString, `input` parts `type` (valueString) and `url` (valueUri), no `inputSource`.
 */
export function importParameters(inputs: { type: string; url: string }[], inputSource: string, mode?: ImportMode): Parameters {
  if (mode) {
    return {
      resourceType: 'Parameters',
      parameter: [
        { name: 'inputFormat', valueString: NDJSON },
        { name: 'mode', valueString: mode },
        ...inputs.map((i) => ({ name: 'input', part: [{ name: 'type', valueString: i.type }, { name: 'url', valueUri: i.url }] })),
      ],
    };
  }
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'inputFormat', valueCode: NDJSON },
      { name: 'inputSource', valueUri: inputSource },
      ...inputs.map((i) => ({ name: 'input', part: [{ name: 'type', valueCode: i.type }, { name: 'url', valueUri: i.url }] })),
    ],
  };
}

async function kickOff(client: FhirHttpClient, server: string, parameters: Parameters): Promise<string> {
  const response = await client.send('POST', '$import', parameters, { prefer: 'respond-async' });
  const location = header(response.headers, 'content-location');
  if (response.status !== 202 || !location) {
    const why = response.status === 202 ? 'no Content-Location to poll' : describeFailure(response.status, response.body);
    throw new UserError(`${server}/$import refused the import (${why}); does the server support bulk $import? use --mode transaction otherwise`);
  }
  return new URL(location, `${server}/`).href;
}

/** The status URL answered neither 202 (in progress) nor 200 (done): the job failed. */
class ImportJobFailed extends Error {}

async function poll(client: FhirHttpClient, statusUrl: string, options: ImportOptions): Promise<{ body: unknown; polls: number }> {
  for (let polls = 1; ; polls++) {
    const response = await client.send('GET', statusUrl, undefined, { accept: 'application/json' });
    if (response.status === 200) return { body: response.body, polls };
    if (response.status !== 202) throw new ImportJobFailed(`the $import job at ${statusUrl} failed: ${describeFailure(response.status, response.body)}`);
    const progress = header(response.headers, 'x-progress');
    if (progress) options.log?.(`$import: ${progress}`);
    const wait = Math.min(retryAfterMs(header(response.headers, 'retry-after')), options.maxPollMs ?? 60_000);
    await sleep(wait, options.signal);
  }
}

/**
 * What a failed job left and what to do, as the server counts it now under the run tag (a server may keep what the
 * job stored before it failed: the sandbox does; HAPI and Azure commit per file or per batch): nothing, or N resources
 * (the job's, or an earlier seed's) to overwrite by seeding again or to purge. When the count cannot be had, what
 * may be left.
 */
export async function failedJobHint(client: FhirHttpClient, server: string, runId: string, expected: Record<string, number>): Promise<string> {
  const purge = `fhirseed purge --server ${server} --run ${runId}`;
  let held: number | undefined;
  try {
    const rows = await verifyCounts(client, runId, expected);
    held = rows.every((r) => r.actual !== undefined) ? rows.reduce((a, r) => a + r.actual!, 0) : undefined;
  } catch {
    held = undefined;
  }
  if (held === 0) return ` — the server holds no resource of run ${runId}: seed again once the cause is mended`;
  if (held !== undefined) {
    return ` — the server holds ${held} ${plural(held, 'resource')} of run ${runId} (stored before the job failed, or by an earlier seed): seed again (the same ids are overwritten), or remove them with ${purge}`;
  }
  return ` — what the job stored before it failed may stay on the server (tagged run ${runId}): seed again (the same ids are overwritten), or remove it with ${purge}`;
}

/** Retry-After in seconds or as an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number {
  if (!value) return 1000;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - now);
}

function jobCounts(body: unknown, inputs: { type: string }[]): ImportSummary['counts'] {
  const output = (body as { output?: { type?: string; count?: number }[] } | undefined)?.output;
  if (!Array.isArray(output)) return inputs.map((i) => ({ type: i.type, count: undefined }));
  const byType = new Map<string, number>();
  for (const o of output) if (o.type) byType.set(o.type, (byType.get(o.type) ?? 0) + (typeof o.count === 'number' ? o.count : 0));
  return [...byType].map(([type, count]) => ({ type, count }));
}

/**
 * The completed job's `error` entries, one line each: a message (the sandbox), or Azure's per-input entry
 * (`count` resources of `inputUrl` not imported, details in the file at `url`).
 */
function jobErrors(body: unknown): string[] {
  const error = (body as { error?: { message?: string; url?: string; inputUrl?: string; count?: number }[] } | undefined)?.error;
  if (!Array.isArray(error)) return [];
  return error.map((e) => {
    if (e.message) return e.message;
    if (e.url && e.inputUrl) return `${typeof e.count === 'number' ? `${e.count} ${plural(e.count, 'resource')}` : 'resources'} of ${e.inputUrl} not imported: details in ${e.url}`;
    return e.url ?? JSON.stringify(e);
  });
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Waits `ms`, or rejects with the signal's reason when it aborts first. The abort listener is removed when the wait
 * ends: one left per status poll passed Node's limit of 10 (MaxListenersExceededWarning) on a job polled 11 times.
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => (clearTimeout(timer), reject(signal!.reason));
    const timer = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * How long the file server keeps an idle connection (ms): longer than any wait between the server's fetches, so a
 * server storing one file (seconds to minutes) never sends its next GET on a socket closed meanwhile (Node's default
 * 5 s lost that race against the sandbox). The connections are closed when the job ends.
 */
export const FILE_SERVER_KEEP_ALIVE_MS = 10 * 60_000;

/**
 * Serves the NDJSON files read-only under a random path (`http://host:port/{token}/{file}`) for the
 * server to fetch; nothing else is answered. A port in use or a host that cannot be bound is a UserError.
 * Idle connections are kept FILE_SERVER_KEEP_ALIVE_MS.
 */
export async function serveFiles(dir: string, files: string[], host: string, port: number): Promise<{ base: string; close: () => Promise<void> }> {
  const token = randomUUID();
  const allowed = new Set(files);
  const server: Server = createServer((req, res) => {
    const m = /^\/([^/]+)\/([^/?]+)$/.exec(req.url ?? '');
    const file = m && m[1] === token ? decodeURIComponent(m[2]!) : undefined;
    if (req.method !== 'GET' || !file || !allowed.has(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': NDJSON, 'content-length': statSync(join(dir, file)).size });
    createReadStream(join(dir, file)).pipe(res);
  });
  server.keepAliveTimeout = FILE_SERVER_KEEP_ALIVE_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new UserError(`cannot serve the NDJSON files on ${host}:${port} (${error.code ?? error.message}); choose --import-host/--import-port, or give --input-base-url`)));
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    base: `http://${hostPart}:${actual}/${token}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
