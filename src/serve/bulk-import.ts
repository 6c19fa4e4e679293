import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { Dispatcher } from 'undici';
import { loadNdjsonLines, type LoadResult } from './load.js';
import type { AtomicMemoryRepository } from './router.js';

/**
 * Bulk `$import` for the sandbox (HL7 Bulk Data import, as HAPI takes it): a POST of Parameters with
 * `inputFormat` application/fhir+ndjson, optional `inputSource`, and `input` parts each with `type` and
 * `url`, under `Prefer: respond-async`. The kick-off answers 202 with Content-Location
 * `{base}/$import-poll-status/{job}`; polling that answers 202 with Retry-After and X-Progress while the
 * job runs, 200 with a result (per-type counts, errors) when it is done, 500 with an OperationOutcome when
 * it failed (an input that could not be fetched). The inputs are fetched with undici and stored through
 * the same path as the preload (load.ts), one NDJSON line at a time. Azure Health Data Services' form is taken
 * too: values as valueString, no `inputSource`, and a `mode` of InitialLoad or IncrementalLoad (any other value
 * is a 400); both modes load the same way here.
 */
export interface ImportJob {
  id: string;
  request: string;
  transactionTime: string;
  inputs: { type: string; url: string }[];
  /** Azure's `mode` parameter, when the kick-off gave one. */
  mode?: string;
  state: 'running' | 'done' | 'failed';
  /** Resources stored so far, by input type. */
  counts: Record<string, number>;
  errors: string[];
  failure?: string;
}

const IMPORT = '$import';
const STATUS = '$import-poll-status';
const NDJSON = 'application/fhir+ndjson';
/** Azure Health Data Services' `mode` values (the seeder's IMPORT_MODES; the server does not import the seeder). */
const IMPORT_MODES = ['InitialLoad', 'IncrementalLoad'];

/** What handleBulkImport answers: status, headers and a JSON body. */
export interface ImportAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The sandbox's import jobs (kept for the life of the server; each is a few counters). */
export class BulkImports {
  private readonly jobs = new Map<string, ImportJob>();

  constructor(
    private readonly repo: AtomicMemoryRepository,
    /** Runs a write with the server's other writes (its write queue), so an import never interleaves a transaction. */
    private readonly serialise: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  /**
   * Answers `$import` kick-offs and status polls (path relative to the FHIR base); undefined for any other
   * path, so the caller goes on with its own routes.
   */
  async handle(method: string, fhirPath: string, body: unknown, headers: Record<string, string | string[] | undefined>, base: string): Promise<ImportAnswer | undefined> {
    if (fhirPath === IMPORT && method === 'POST') return this.kickOff(body, headers, base);
    const m = new RegExp(`^\\${STATUS}/([A-Za-z0-9-]+)$`).exec(fhirPath);
    if (!m) return undefined;
    const job = this.jobs.get(m[1]!);
    if (!job) return outcome(404, 'not-found', `no import job ${m[1]}`);
    if (method === 'DELETE') {
      this.jobs.delete(job.id);
      return { status: 202 };
    }
    if (method !== 'GET') return undefined;
    if (job.state === 'running') {
      const stored = Object.values(job.counts).reduce((a, b) => a + b, 0);
      return { status: 202, headers: { 'retry-after': '1', 'x-progress': `${stored} resources stored` } };
    }
    if (job.state === 'failed') return outcome(500, 'exception', job.failure ?? 'the import failed');
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        transactionTime: job.transactionTime,
        request: job.request,
        output: job.inputs.map((i) => ({ type: i.type, inputUrl: i.url, count: job.counts[`${i.type}\0${i.url}`] ?? 0 })),
        error: job.errors.map((e) => ({ type: 'OperationOutcome', message: e })),
      },
    };
  }

  private kickOff(body: unknown, headers: Record<string, string | string[] | undefined>, base: string): ImportAnswer {
    if (!String(headers.prefer ?? '').includes('respond-async')) return outcome(400, 'invalid', '$import runs asynchronously: send Prefer: respond-async');
    const params = body as Parameters | undefined;
    if (params?.resourceType !== 'Parameters') return outcome(400, 'invalid', '$import takes a Parameters resource');
    const parts = params.parameter ?? [];
    const format = parts.find((p) => p.name === 'inputFormat');
    const formatValue = format?.valueCode ?? format?.valueString;
    if (formatValue !== undefined && formatValue !== NDJSON) return outcome(400, 'not-supported', `inputFormat ${formatValue} is not supported (only ${NDJSON})`);
    const modePart = parts.find((p) => p.name === 'mode');
    const mode = modePart?.valueString ?? modePart?.valueCode;
    if (modePart && !IMPORT_MODES.includes(mode ?? '')) return outcome(400, 'invalid', `mode ${mode ?? '(no value)'} is not one of ${IMPORT_MODES.join(', ')}`);
    const inputs = parts.filter((p) => p.name === 'input').map((p) => ({ type: partValue(p, 'type'), url: partValue(p, 'url') }));
    if (!inputs.length) return outcome(400, 'required', '$import needs at least one input part (type and url)');
    const bad = inputs.find((i) => !i.type || !i.url || !/^https?:\/\//.test(i.url));
    if (bad) return outcome(400, 'invalid', `an input part needs a type and an http(s) url (got type ${bad.type ?? '?'}, url ${bad.url ?? '?'})`);
    const job: ImportJob = {
      id: randomUUID(),
      request: `${base}/${IMPORT}`,
      transactionTime: new Date().toISOString(),
      inputs: inputs as { type: string; url: string }[],
      ...(mode ? { mode } : {}),
      state: 'running',
      counts: {},
      errors: [],
    };
    this.jobs.set(job.id, job);
    void this.run(job);
    return { status: 202, headers: { 'content-location': `${base}/${STATUS}/${job.id}` }, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', details: { text: `import job ${job.id} started` } }] } };
  }

  private async run(job: ImportJob): Promise<void> {
    try {
      for (const input of job.inputs) {
        const key = `${input.type}\0${input.url}`;
        const response = await fetchInput(input.url);
        if (response.statusCode !== 200) {
          await response.body.dump();
          throw new Error(`cannot fetch input ${input.url}: HTTP ${response.statusCode}`);
        }
        const result: LoadResult = { loaded: 0, errors: [] };
        const lines = createInterface({ input: response.body as unknown as Readable, crlfDelay: Infinity });
        try {
          await loadNdjsonLines(lines, input.url, this.repo, result, this.serialise);
        } finally {
          job.counts[key] = (job.counts[key] ?? 0) + result.loaded;
          job.errors.push(...result.errors);
        }
      }
      job.state = 'done';
    } catch (error) {
      job.state = 'failed';
      const stored = Object.values(job.counts).reduce((a, b) => a + b, 0);
      job.failure = `${(error as Error).message}; ${stored === 0 ? 'nothing was stored before it' : `the ${stored === 1 ? '1 resource' : `${stored} resources`} stored before it stay${stored === 1 ? 's' : ''} on the server`}`;
    }
  }
}

/** Attempts per input when the connection closes before any byte of the answer. */
export const IMPORT_FETCH_ATTEMPTS = 3;

/** Connection failures with no answer begun: the GET is idempotent, so it is sent again on a new connection. */
const CLOSED_BEFORE_ANSWER = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED']);

/**
 * GETs one input on a connection of its own (`reset`: never a pooled socket the file server may have closed while
 * the previous input was being stored, the keep-alive race), and sends it again, up to IMPORT_FETCH_ATTEMPTS times
 * 200 ms apart, when the connection is closed or reset before the status line. A refused connection, a DNS failure
 * or an HTTP status is not retried. Throws `cannot fetch input URL: …` (the job's failure).
 */
async function fetchInput(url: string): Promise<Dispatcher.ResponseData> {
  // undici is imported by the first $import, not with the server (~70 ms of CPU at every start; issue 17).
  const { request } = await import('undici');
  for (let attempt = 1; ; attempt++) {
    try {
      return await request(url, { reset: true, headers: { accept: `${NDJSON}, application/x-ndjson, */*` } });
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
      if (attempt >= IMPORT_FETCH_ATTEMPTS || !code || !CLOSED_BEFORE_ANSWER.has(code)) {
        const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
        throw new Error(`cannot fetch input ${url}: ${(error as Error).message}${tries}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function partValue(p: ParametersParameter, name: string): string | undefined {
  const part = p.part?.find((x) => x.name === name);
  return part?.valueUrl ?? part?.valueUri ?? part?.valueCode ?? part?.valueString;
}

function outcome(status: number, code: string, text: string): ImportAnswer {
  return { status, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] } };
}

/** Writes an ImportAnswer (FHIR JSON unless it says otherwise). */
export function sendImportAnswer(res: ServerResponse, answer: ImportAnswer): void {
  const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/fhir+json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...answer.headers });
  res.end(text);
}
