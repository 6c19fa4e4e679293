import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { setImmediate as yieldToRequests } from 'node:timers/promises';
import type { Group, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { SandboxAuth } from './auth.js';
import { compartmentPatients, isCompartmentType } from './compartment.js';
import { exportAccess, type ExportAccess } from './export-access.js';
import { associatedProvenance } from './export-associated.js';
import { expireAt } from './export-expiry.js';
import { subset } from './export-elements.js';
import { ExportRequestError, parameterPairs, parseExportRequest, type ExportLevel, type ExportRequest } from './export-request.js';
import type { AtomicMemoryRepository } from './router.js';
import { allMatches, planSearch } from './search-extras.js';

/** How long a finished export's manifest and files are kept (then the status URL answers 404). */
export const DEFAULT_EXPORT_EXPIRY_SECONDS = 3600;

export interface ExportOptions {
  /** Seconds a finished export is kept; default DEFAULT_EXPORT_EXPIRY_SECONDS (1 hour). */
  expirySeconds?: number;
  /** Epoch-ms clock for the expiry (tests move it); default Date.now. */
  now?: () => number;
}

interface ExportJob {
  id: string;
  owner: string;
  request: string;
  transactionTime: string;
  state: 'running' | 'done' | 'failed';
  cancelled: boolean;
  dir: string;
  outputs: { type: string; file: string; count: number }[];
  /** The manifest's `error` files: OperationOutcomes for what the export could not do as asked. */
  errors: { type: string; file: string; count: number }[];
  progress: string;
  failure?: string;
  /** Epoch ms after which the job and its files are gone. */
  expires?: number;
  /** Cancels the timer that removes the job at its expiry, even when nobody asks for it again. */
  cancelExpiry?: () => void;
  ignored: string[];
  /** `patient` references dropped under handling=lenient (not on the server, or not in the Group), with why. */
  dropped: string[];
}

const KICK_OFF = '$export';
const STATUS = '$export-poll-status';
const FILES = '$export-file';
const NDJSON = 'application/fhir+ndjson';
/** The error file's name: lower case, so no resource type's file can take it. */
const ERRORS = 'errors.ndjson';
/** Resources written between two yields to the event loop, so status polls and reads are answered meanwhile. */
const YIELD_EVERY = 500;

/**
 * FHIR Bulk Data Access 2.0.0 `$export` for the sandbox: system `/$export`, `Patient/$export` and
 * `Group/[id]/$export` by GET or POST (Parameters), asynchronous only (`Prefer: respond-async`). The kick-off
 * answers 202 with `Content-Location: {base}/$export-poll-status/{job}`; the job writes one NDJSON file per
 * resource type into a temporary folder, reading the data while the server's writes wait (so the files are the
 * data as of `transactionTime`). Polling answers 202 with `X-Progress` and `Retry-After` while it runs, then 200
 * with the manifest and `Expires`; the files are streamed from disk at `{base}/$export-file/{job}/{Type}.ndjson`.
 * A finished job is kept `expirySeconds` (then 404); DELETE on the status URL cancels it and removes its files.
 * Jobs belong to whoever started them (the same client, static token, or anyone with `--auth none`), and a file
 * is served only when the token presented for it covers the file's type (as a kick-off for that type would).
 */
export class BulkExports {
  private readonly jobs = new Map<string, ExportJob>();
  private readonly expiryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly repo: AtomicMemoryRepository,
    private readonly auth: SandboxAuth,
    /** Runs the export with the server's writes (its write queue): no write lands while it reads. */
    private readonly serialise: <T>(work: () => Promise<T>) => Promise<T>,
    options: ExportOptions = {},
  ) {
    this.expiryMs = (options.expirySeconds ?? DEFAULT_EXPORT_EXPIRY_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Answers the request when it is an export kick-off, status poll, cancel or file download (fhirPath relative to
   * the FHIR base; the caller has checked the bearer token) and returns true; false for any other request.
   */
  async handle(req: IncomingMessage, res: ServerResponse, fhirPath: string, url: URL, base: string, readBody: (req: IncomingMessage) => Promise<Buffer>): Promise<boolean> {
    const route = exportRoute(fhirPath.replace(/%24/gi, '$'));
    if (!route) return false;
    if (route.kind === 'misplaced') {
      const hint = route.path.startsWith('Group/') ? ' (Group/[id]/$export needs the id of a Group: GET Group lists them)' : '';
      return send(res, 400, outcome('not-supported', `${route.path}: $export is at $export (system), Patient/$export and Group/[id]/$export${hint}`));
    }
    this.sweep();
    const method = (req.method ?? 'GET').toUpperCase();
    const access = exportAccess(this.auth, req.headers.authorization);
    if ('refused' in access) return send(res, 403, outcome('forbidden', access.refused));
    try {
      if (route.kind === 'kick-off') {
        if (method !== 'GET' && method !== 'POST') return send(res, 405, outcome('not-supported', `${method} ${fhirPath}: a kick-off is GET or POST`), { allow: 'GET, POST' });
        const body = method === 'POST' ? (await readBody(req)).toString('utf8') : '';
        return this.kickOff(res, route.level, route.groupId, req, url, body, base, access);
      }
      const job = this.jobs.get(route.job);
      const gone = `no export job ${route.job} (a finished export is kept ${this.expiryMs / 1000} s, or until DELETE on its status URL)`;
      if (!job || job.owner !== access.owner) return send(res, 404, outcome('not-found', gone));
      if (route.kind === 'status' && method === 'DELETE') {
        this.remove(job);
        return send(res, 202, info(`export job ${job.id} cancelled; its files are removed`));
      }
      // HEAD as GET without the content (RFC 9110 §9.3.2); not on a kick-off, which starts a job.
      if (method !== 'GET' && method !== 'HEAD') return send(res, 405, outcome('not-supported', `${method} ${fhirPath} is not allowed`), { allow: route.kind === 'status' ? 'GET, DELETE' : 'GET' });
      if (route.kind === 'status') return this.status(res, job, base);
      const output = job.state === 'done' ? [...job.outputs, ...job.errors].find((o) => o.file === route.file) : undefined;
      if (!output) return send(res, 404, outcome('not-found', `export job ${job.id} has no file ${route.file}`));
      // The token presented now, not the one that started the job, must cover the file's type (scopes can narrow).
      const denied = output.file === ERRORS ? undefined : uncovered(access, [output.type]);
      if (denied) return send(res, 403, outcome('forbidden', denied));
      const path = join(job.dir, output.file);
      res.writeHead(200, { 'content-type': NDJSON, 'content-length': statSync(path).size });
      if (method === 'HEAD') {
        res.end();
        return true;
      }
      // A client that hangs up mid-file ends the stream (the read side is closed by pipeline): nothing to answer.
      await pipeline(createReadStream(path), res).catch((error: unknown) => {
        if (!res.destroyed) throw error;
      });
      return true;
    } catch (error) {
      if (error instanceof ExportRequestError) return send(res, error.status, outcome(error.status === 403 ? 'forbidden' : 'invalid', error.message));
      throw error;
    }
  }

  /** Removes every job's files (the server is closing). */
  close(): void {
    for (const job of [...this.jobs.values()]) this.remove(job);
  }

  private kickOff(res: ServerResponse, level: ExportLevel, groupId: string | undefined, req: IncomingMessage, url: URL, body: string, base: string, access: Exclude<ExportAccess, { refused: string }>): boolean {
    const prefer = String(req.headers.prefer ?? '');
    if (!/respond-async/.test(prefer)) throw new ExportRequestError(400, '$export runs asynchronously: send Prefer: respond-async');
    const pairs: [string, string][] = [...url.searchParams];
    if (body.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (error) {
        const form = /^application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? ''));
        const instead = form ? 'a form body is not read: POST a Parameters resource (application/fhir+json), or GET with the parameters in the query' : (error as Error).message;
        throw new ExportRequestError(400, `request body is not JSON (${instead})`);
      }
      pairs.push(...parameterPairs(parsed));
    } else if (url.searchParams.has('patient')) {
      throw new ExportRequestError(400, 'patient is taken only in a POSTed Parameters resource');
    }
    const lenient = /handling\s*=\s*lenient/.test(prefer);
    const request = parseExportRequest(level, groupId, pairs, lenient);
    let group: Group | undefined;
    if (level === 'group') {
      group = this.repo.get('Group', groupId!) as Group | undefined;
      if (!group) return send(res, 404, outcome('not-found', `Group/${groupId} is not known`));
    }
    const unknown = this.unknownPatients(request, group);
    const dropped = unknown.map(([, why]) => why);
    if (dropped.length && !lenient) throw new ExportRequestError(400, `patient: ${dropped.join('; ')} (send Prefer: handling=lenient to export the others)`);
    for (const [id] of unknown) request.patients!.delete(id);
    const asked = [...(request.types ?? []), ...(request.associated ? ['Provenance'] : [])];
    const denied = uncovered(access, asked);
    if (denied) throw new ExportRequestError(403, denied);
    const job: ExportJob = {
      id: randomUUID(),
      owner: access.owner,
      request: url.href,
      transactionTime: new Date(this.now()).toISOString(),
      state: 'running',
      cancelled: false,
      dir: mkdtempSync(join(tmpdir(), 'fhirseed-export-')),
      outputs: [],
      errors: [],
      progress: 'queued',
      ignored: request.ignored,
      dropped,
    };
    this.jobs.set(job.id, job);
    void this.serialise(() => this.run(job, request, access.types, group)).catch((error: unknown) => {
      job.state = 'failed';
      job.failure = (error as Error).message;
    });
    return send(res, 202, info(`export job ${job.id} started`), { 'content-location': `${base}/${STATUS}/${job.id}` });
  }

  private status(res: ServerResponse, job: ExportJob, base: string): boolean {
    if (job.state === 'running') return send(res, 202, undefined, { 'retry-after': '1', 'x-progress': job.progress });
    if (job.state === 'failed') return send(res, 500, outcome('exception', `export job ${job.id} failed: ${job.failure ?? 'unknown error'}`));
    const manifest = {
      transactionTime: job.transactionTime,
      request: job.request,
      requiresAccessToken: this.auth.mode !== 'none',
      output: job.outputs.map((o) => ({ type: o.type, url: `${base}/${FILES}/${job.id}/${o.file}`, count: o.count })),
      error: job.errors.map((o) => ({ type: o.type, url: `${base}/${FILES}/${job.id}/${o.file}`, count: o.count })),
      ...(job.ignored.length ? { extension: { 'urn:fhirseed:ignored-parameters': job.ignored } } : {}),
    };
    return send(res, 200, manifest, { expires: new Date(job.expires!).toUTCString() }, 'application/json');
  }

  private async run(job: ExportJob, request: ExportRequest, permitted: '*' | Set<string>, group: Group | undefined): Promise<void> {
    const patients = request.level === 'group' ? groupPatients(group!, request.patients) : request.patients;
    const allowed = (t: string) => permitted === '*' || permitted.has(t);
    // With includeAssociatedData the Provenance file holds the exported resources' Provenance (written last).
    const types = (request.types ?? this.repo.types().filter((t) => request.level === 'system' || isCompartmentType(t)).sort()).filter((t) => allowed(t) && !(request.associated && t === 'Provenance'));
    const exported = request.associated ? new Set<string>() : undefined;
    const written = { count: 0 };
    for (const [i, type] of types.entries()) {
      if (job.cancelled) return;
      job.progress = `${type}: ${i + 1} of ${types.length} types, ${written.count} resources written`;
      const filtered = typeFilterKeys(this.repo, type, request);
      const chosen = (function* (repo: AtomicMemoryRepository) {
        for (const resource of repo.all(type)) {
          const updated = Date.parse(resource.meta?.lastUpdated ?? '');
          if (request.since !== undefined && !(updated > request.since)) continue;
          if (request.until !== undefined && !(updated < request.until)) continue;
          if (filtered && !filtered.has(resource.id ?? '')) continue;
          if (request.level !== 'system' && !belongs(resource, patients)) continue;
          exported?.add(`${type}/${resource.id}`);
          yield resource;
        }
      })(this.repo);
      if (!(await this.writeFile(job, type, chosen, request, written))) return;
    }
    if (request.associated && exported && allowed('Provenance')) {
      job.progress = `Provenance of the ${exported.size} resources exported, ${written.count} resources written`;
      const provenance = associatedProvenance(this.repo.all('Provenance'), exported, request.associated);
      if (!(await this.writeFile(job, 'Provenance', provenance, request, written))) return;
      job.outputs.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
    }
    if (job.ignored.length || job.dropped.length) {
      // Bulk Data's error file: one OperationOutcome telling what Prefer: handling=lenient let pass unanswered.
      const ignored: OperationOutcome = {
        resourceType: 'OperationOutcome',
        issue: [
          ...job.ignored.map((name) => ({ severity: 'warning' as const, code: 'not-supported' as const, details: { text: `${name} ignored (Prefer: handling=lenient): this server does not support it` } })),
          ...job.dropped.map((why) => ({ severity: 'warning' as const, code: 'not-found' as const, details: { text: `patient: ${why}; left out (Prefer: handling=lenient)` } })),
        ],
      };
      writeFileSync(join(job.dir, ERRORS), `${JSON.stringify(ignored)}\n`);
      job.errors.push({ type: 'OperationOutcome', file: ERRORS, count: 1 });
    }
    job.state = 'done';
    job.progress = `done: ${written.count} resources`;
    job.expires = this.now() + this.expiryMs;
    this.expireLater(job);
  }

  /**
   * Writes `resources` (cut to `_elements`) to `{Type}.ndjson` in the job's folder and lists the file, if any
   * resource comes; yields to the event loop every YIELD_EVERY resources. False when the job was cancelled.
   */
  private async writeFile(job: ExportJob, type: string, resources: Iterable<Resource>, request: ExportRequest, written: { count: number }): Promise<boolean> {
    const file = `${type}.ndjson`;
    let out: WriteStream | undefined;
    // Always listened to: a write error (a full disk, the folder removed by a cancel) must not go unhandled.
    let failure: Error | undefined;
    let count = 0;
    for (const resource of resources) {
      out ??= createWriteStream(join(job.dir, file)).on('error', (error) => (failure ??= error));
      const line = request.elements ? subset(resource, request.elements) : resource;
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
      count++;
      if (++written.count % YIELD_EVERY === 0) {
        await yieldToRequests();
        if (job.cancelled) break;
      }
    }
    if (out) {
      out.end();
      await finished(out).catch(() => undefined);
      if (job.cancelled) return false;
      if (failure) throw failure;
      job.outputs.push({ type, file, count });
    }
    return !job.cancelled;
  }

  private expireLater(job: ExportJob): void {
    job.cancelExpiry = expireAt(job.expires!, this.now, () => this.remove(job));
  }

  /** The POSTed `patient` references that name no Patient on the server or, at group level, no member of the Group. */
  private unknownPatients(request: ExportRequest, group: Group | undefined): [id: string, why: string][] {
    if (!request.patients) return [];
    const members = group ? groupPatients(group, undefined) : undefined;
    return [...request.patients].flatMap((id): [string, string][] => {
      if (!this.repo.has('Patient', id)) return [[id, `Patient/${id} is not on this server`]];
      if (members && !members.has(id)) return [[id, `Patient/${id} is not a member of Group/${group!.id}`]];
      return [];
    });
  }

  private sweep(): void {
    const now = this.now();
    for (const job of [...this.jobs.values()]) if (job.expires !== undefined && job.expires <= now) this.remove(job);
  }

  private remove(job: ExportJob): void {
    job.cancelled = true;
    job.cancelExpiry?.();
    this.jobs.delete(job.id);
    rmSync(job.dir, { recursive: true, force: true });
  }
}

type Route =
  | { kind: 'kick-off'; level: ExportLevel; groupId?: string }
  | { kind: 'status'; job: string }
  | { kind: 'file'; job: string; file: string }
  | { kind: 'misplaced'; path: string };

function exportRoute(fhirPath: string): Route | undefined {
  if (fhirPath === KICK_OFF) return { kind: 'kick-off', level: 'system' };
  if (fhirPath === `Patient/${KICK_OFF}`) return { kind: 'kick-off', level: 'patient' };
  const group = new RegExp(`^Group/([A-Za-z0-9\\-.]{1,64})/\\${KICK_OFF}$`).exec(fhirPath);
  if (group) return { kind: 'kick-off', level: 'group', groupId: group[1]! };
  const status = new RegExp(`^\\${STATUS}/([A-Za-z0-9-]+)$`).exec(fhirPath);
  if (status) return { kind: 'status', job: status[1]! };
  const file = new RegExp(`^\\${FILES}/([A-Za-z0-9-]+)/([A-Za-z]+\\.ndjson)$`).exec(fhirPath);
  if (file) return { kind: 'file', job: file[1]!, file: file[2]! };
  // Group/$export without an id, Observation/$export, Patient/123/$export: not where Bulk Data puts the operation.
  if (new RegExp(`^[A-Z][A-Za-z]+(/[^/]+)?/\\${KICK_OFF}$`).test(fhirPath)) return { kind: 'misplaced', path: fhirPath };
  return undefined;
}

/**
 * Why `access` may not read some of `types` (the 403 text of a kick-off or a file download), or undefined when its
 * scopes cover them all (exportAccess's types: `*`, or the types named by system/T.read, system/T.rs…).
 */
function uncovered(access: Exclude<ExportAccess, { refused: string }>, types: string[]): string | undefined {
  const permitted = access.types;
  const denied = permitted === '*' ? [] : types.filter((t) => !permitted.has(t));
  return denied.length ? `the token's scopes do not cover ${denied.join(', ')}` : undefined;
}

/** The Group's current Patient members (`member.entity`, not `inactive`), within `only` when given. */
function groupPatients(group: Group, only: Set<string> | undefined): Set<string> {
  const ids = new Set<string>();
  for (const member of group.member ?? []) {
    const id = /^Patient\/([^/]+)$/.exec(member.entity?.reference ?? '')?.[1];
    if (id && !member.inactive && (!only || only.has(id))) ids.add(id);
  }
  return ids;
}

/** Whether a resource is in the compartment of one of `patients` (of any patient when undefined). */
function belongs(resource: Resource, patients: Set<string> | undefined): boolean {
  const ids = compartmentPatients(resource);
  return patients ? ids.some((id) => patients.has(id)) : ids.length > 0;
}

/** The ids of the resources of `type` that match one of its `_typeFilter` searches; undefined when it has none. */
function typeFilterKeys(repo: AtomicMemoryRepository, type: string, request: ExportRequest): Set<string> | undefined {
  const queries = request.typeFilters.get(type);
  if (!queries) return undefined;
  return new Set(queries.flatMap((query) => allMatches(repo, planSearch(type, query)).map((r) => r.id ?? '')));
}

function outcome(code: string, text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: code as 'invalid', details: { text } }] };
}

function info(text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', details: { text } }] };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/fhir+json; charset=utf-8'): true {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': contentType } : {}), 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
  return true;
}
