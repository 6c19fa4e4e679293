import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  OperationOutcomeError,
  allOk,
  badRequest,
  created,
  getStatus,
  isOk,
  isResourceType,
  normalizeErrorString,
  normalizeOperationOutcome,
  notFound,
} from '@medplum/core';
import type { FhirRequest, FhirResponse, FhirRouter, HttpMethod } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { SandboxAuth } from './auth.js';
import { patientEverything } from './everything.js';
import { inPatientCompartment } from './compartment.js';
import { handleOauthRoute, isOauthPath, oauthDiscovery, sendOauthFailure } from './oauth/routes.js';
import { JWKS_PATH } from './oauth/id-token.js';
import { rateLimitClient, type RateLimit } from './rate-limit.js';
import { otherPatientSearch, patientDenial, patientFilter } from './patient-access.js';
import { sendPage, type SitePage } from './index-page.js';
import type { AtomicMemoryRepository } from './router.js';
import { planSearch, runSearch, type Query } from './search-extras.js';
import { WriteQueue, deleteRefusal, isWrite, bundleRuleProblems, bundleRuleRefusal, processBundle, repeatedFullUrlRefusal, ruleAnswer } from './transaction.js';
import { BulkImports, sendImportAnswer } from './bulk-import.js';
import { putTargetVersion, wantsOutcome, writeOutcome } from './write-outcome.js';
import { checkBundle, validationOutcome, type WriteCheck } from './validate-writes.js';
import { binaryContent, wantsBinaryContent } from './binary.js';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, readLimitedBody } from './body.js';
import { createCors } from './cors.js';
import { demoFile } from './demo.js';
import { answerText } from './store/raw-json.js';
import { alreadyDeletedOutcome, deletedAlready } from './history.js';
import { instanceHistory } from './history-page.js';
import type { ReadPool, ReadRequest, ReadScope } from './store/read-pool.js';
import type { PatientGrant } from './patient-auth.js';
import { BulkExports, type ExportOptions } from './export.js';
import { handleMemberMatch } from './member-match.js';
import { brandsDiscovery, serveBrands } from './brands.js';
import { bundleNeeds, systemDenial, systemFilter, systemGrant, systemRouteDenial } from './system-access.js';
import { decodeSegments, issueOutcome, mediaTypeRefusal, methodRefusal, unknownOperation, updateBodyProblem, type Refusal } from './request-checks.js';

export const FHIR_PATH = '/fhir';
export const TOKEN_PATH = '/auth/token';
export const AUTHORIZE_PATH = '/auth/authorize';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export interface HttpContext {
  router: FhirRouter;
  repo: AtomicMemoryRepository;
  auth: SandboxAuth;
  /** Built once at start; it only depends on the definitions and packages. */
  capability: (base: string, tokenEndpoint: string) => Resource;
  /** With --validate: refuses writes whose resources have validation errors (422). */
  check?: WriteCheck;
  /** The human pages beside FHIR: `/` index, report, mapping guide, ready-made downloads (src/serve/index-page.ts). */
  site?: (path: string, origin: string) => Promise<SitePage | undefined>;
  /** With --rate-limit: per-client quotas, headers on every answer, 429 past them. */
  rateLimit?: RateLimit;
  /** --cors-origins: `*` (default) or the origins browser apps may call from (src/serve/cors.ts). */
  corsOrigins?: '*' | string[];
  /** --max-body: the largest request body in bytes; more answers 413 (src/serve/body.ts). */
  maxBody?: number;
  /** The payer's SMART User-access Brands Bundle (DIR/brands.json), published at /brands.json (src/serve/brands.ts). */
  brands?: Bundle;
  /** Bulk Data `$export`: how long finished exports are kept (src/serve/export.ts). */
  bulkExport?: ExportOptions;
  /** Worker threads that answer searches and reads of the SQLite store off this thread (src/serve/store/read-pool.ts). */
  reads?: ReadPool;
}

/** The request handler: SMART discovery and token endpoint at the root, FHIR under /fhir; `close` removes export files. */
export function createHandler(context: HttpContext): ((req: IncomingMessage, res: ServerResponse) => void) & { close(): void } {
  const writes = new WriteQueue();
  const imports = new BulkImports(context.repo, (work) => writes.run(work));
  const exports = new BulkExports(context.repo, context.auth, (work) => writes.run(work), context.bulkExport);
  const cors = createCors(context.corsOrigins);
  const maxBody = context.maxBody ?? DEFAULT_MAX_BODY_BYTES;
  const readBody = (req: IncomingMessage) => readLimitedBody(req, maxBody);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    // CORS first: preflights are answered before authentication and rate limits; every answer has its headers.
    if (cors(req, res)) return;
    const client = context.rateLimit && rateLimitClient(req, (token) => context.auth.tokenClient(token), context.auth.staticTokens);
    if (client && !context.rateLimit!.admit(client, res)) return void req.resume();
    handle(context, writes, req, res, imports, readBody, exports).catch((error: unknown) => {
      // Past the body limit the rest of the body stays unread: the connection closes after the 413.
      if (error instanceof BodyTooLargeError) res.setHeader('connection', 'close');
      // Failing mid-answer (a streamed file): the status is sent, so the connection is cut instead.
      if (res.headersSent) return void res.destroy();
      const status = getStatusSafe(error);
      if (isOauthPath(req.url)) return sendOauthFailure(res, status, error);
      // A failure of ours is `exception`; medplum's normalizing would call a plain Error `invalid`, the client's fault.
      send(res, status, status >= 500 && !(error instanceof OperationOutcomeError) ? issueOutcome('exception', normalizeErrorString(error)) : normalizeOperationOutcome(error));
    });
  };
  return Object.assign(handler, { close: () => exports.close() });
}

async function handle(
  context: HttpContext,
  writes: WriteQueue,
  req: IncomingMessage,
  res: ServerResponse,
  imports: BulkImports,
  readBody: (req: IncomingMessage) => Promise<Buffer>,
  exports: BulkExports,
): Promise<void> {
  const origin = `${(req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
  const url = new URL(req.url ?? '/', origin);
  const base = `${origin}${FHIR_PATH}`;
  const tokenEndpoint = `${origin}${TOKEN_PATH}`;
  let method = (req.method ?? 'GET').toUpperCase() as HttpMethod;
  const path = url.pathname.replace(/\/+$/, '');

  if (method === 'GET' && (path === '/.well-known/smart-configuration' || path === `${FHIR_PATH}/.well-known/smart-configuration`)) {
    if (!context.auth.mode.startsWith('smart-')) return send(res, 404, notFound);
    const openId = context.auth.openIdDiscovery(base, `${origin}${JWKS_PATH}`);
    return sendJson(res, 200, { ...context.auth.smartConfiguration(tokenEndpoint, `${origin}${AUTHORIZE_PATH}`), ...openId, ...oauthDiscovery(origin, context.auth), ...brandsDiscovery(context.brands, origin) }, 'application/json');
  }
  if (serveBrands(context.brands, method, path, origin, base, res)) return;
  const jwks = path === JWKS_PATH && method === 'GET' ? context.auth.jwks() : undefined;
  if (jwks) return sendJson(res, 200, await jwks, 'application/json', { 'cache-control': 'no-cache' });
  if (await handleOauthRoute(context.auth, req, res, path, origin, tokenEndpoint, readBody)) return;
  if (path === AUTHORIZE_PATH && (method === 'GET' || method === 'POST')) {
    const params = method === 'POST' ? new URLSearchParams((await readBody(req)).toString('utf8')) : url.searchParams;
    const page = context.auth.authorize(method, params, base);
    if (!page) return send(res, 404, notFound, 'this server has no authorize endpoint (use --auth smart-patient)');
    res.writeHead(page.status, { ...page.headers, 'content-length': Buffer.byteLength(page.body) });
    return void res.end(page.body);
  }
  if (path === TOKEN_PATH && method !== 'POST') {
    return sendJson(res, 405, { error: 'invalid_request', error_description: `${TOKEN_PATH} takes POST (RFC 6749 §3.2)` }, 'application/json', { allow: 'POST', 'cache-control': 'no-store' });
  }
  if (path === TOKEN_PATH && method === 'POST') {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const reply = await context.auth.token(form, req.headers.authorization, tokenEndpoint, base);
    // RFC 6749 §5.2: a failed client authentication (401 invalid_client) names the scheme to use.
    const challenge: Record<string, string> = reply.status === 401 ? { 'www-authenticate': 'Basic realm="fhirseed"' } : {};
    return sendJson(res, reply.status, reply.body, 'application/json', { 'cache-control': 'no-store', ...challenge });
  }
  // Browsers ask every origin for /favicon.ico; a 404 is a console error on every sandbox page.
  if (path === '/favicon.ico' && (method === 'GET' || method === 'HEAD')) return void res.writeHead(204, { 'cache-control': 'max-age=86400' }).end();
  const demo = method === 'GET' || method === 'HEAD' ? demoFile(path) : undefined;
  if (demo) {
    res.writeHead(200, { 'content-type': demo.contentType, 'content-length': demo.body.length, 'cache-control': 'no-cache' });
    return void res.end(method === 'HEAD' ? undefined : demo.body);
  }
  const page = (method === 'GET' || method === 'HEAD') && context.site ? await context.site(path, origin) : undefined;
  if (page) return sendPage(res, page, method === 'HEAD');
  if (path !== FHIR_PATH && !path.startsWith(`${FHIR_PATH}/`)) return send(res, 404, notFound);
  const fhirPath = path.slice(FHIR_PATH.length + 1);
  // HEAD is GET without the content (RFC 9110 §9.3.2): Node's response to a HEAD request drops the body it is given
  // and keeps the headers (Content-Length, ETag, Last-Modified among them). $export reads req.method itself (export.ts).
  if (method === 'HEAD') method = 'GET';
  if (method === 'GET' && fhirPath === 'metadata') return sendJson(res, 200, context.capability(base, tokenEndpoint));

  const rejection = context.auth.rejection(req.headers.authorization);
  if (rejection) {
    const outcome: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', details: { text: rejection } }] };
    // RFC 6750 §3.1: a token that was sent but is no good (expired, revoked, unknown) is invalid_token.
    const challenge = rejection.startsWith('missing') ? 'Bearer' : `Bearer error="invalid_token", error_description="${rejection}"`;
    return sendJson(res, 401, outcome, FHIR_JSON, { 'www-authenticate': challenge });
  }
  // A SMART Backend Services token may do what its system scopes grant (src/serve/system-access.ts); $export checks its own.
  const system = systemGrant(context.auth, req.headers.authorization);
  const systemRefusal = system && systemRouteDenial(system, method, fhirPath);
  if (systemRefusal) return sendJson(res, 403, issueOutcome('forbidden', systemRefusal));
  // Bulk Data $export (kick-off, status, files) and $member-match: the payer operations (src/serve/export.ts, member-match.ts).
  if (await exports.handle(req, res, fhirPath, url, base, readBody)) return;
  if (await handleMemberMatch(context.repo, context.auth, req, res, fhirPath, readBody)) return;

  const segments = decodeSegments(fhirPath);
  if (!Array.isArray(segments)) return refuse(res, segments);
  const [type, id, operation] = segments;
  const wrongMethod = methodRefusal(method, segments, url.searchParams.size > 0);
  if (wrongMethod) return refuse(res, wrongMethod);
  const unservedHistory = historyRefusal(method, segments);
  if (unservedHistory) return refuse(res, unservedHistory);
  if (type && !type.startsWith('$') && !isResourceType(type)) return send(res, 404, notFound, `unknown resource type ${type}`);
  const rawBinary = wantsBinaryContent(method, segments, req.headers.accept, url.searchParams.get('_format'));
  const unacceptable = rawBinary ? undefined : formatRefusal(url.searchParams.get('_format'), req.headers.accept);
  if (unacceptable) return sendJson(res, 406, issueOutcome('not-supported', unacceptable));
  if (id && !id.startsWith('_') && !id.startsWith('$') && !FHIR_ID.test(id)) {
    return sendJson(res, 400, issueOutcome('invalid', `'${id}' is not a valid resource id (1 to 64 of A-Z a-z 0-9 - .)`));
  }
  const grant = context.auth.patientGrant(req.headers.authorization);
  const query = toQuery(url.searchParams);
  const denial = grant && (patientDenial(grant, method, segments, context.repo) ?? (method === 'GET' && segments.length === 1 && type ? otherPatientSearch(grant, type, query) : undefined));
  if (denial) return sendJson(res, 403, issueOutcome('forbidden', denial));
  if (rawBinary) {
    const content = await binaryContent(context.repo, id!, req.headers.accept!);
    if (content.status === 404) return send(res, 404, notFound, `Binary/${id} is not known`);
    if (content.status !== 200) return sendJson(res, 406, issueOutcome('not-supported', `Binary/${id} is not available as ${req.headers.accept}`));
    res.writeHead(200, { 'content-type': content.contentType, 'content-length': content.body.length });
    return void res.end(content.body);
  }
  const visible = grant ? patientFilter(grant) : system && systemFilter(system);
  const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? await readJsonBody(req, readBody, segments) : undefined;
  const bundleRefusal = system && method === 'POST' && !segments.length && systemDenial(system, bundleNeeds(body as Bundle), 'every entry of this Bundle');
  if (bundleRefusal) return sendJson(res, 403, issueOutcome('forbidden', bundleRefusal));
  const imported = await imports.handle(method, fhirPath, body, req.headers, base);
  if (imported) return sendImportAnswer(res, imported);

  // Operations are served above this line; any other $operation is a 501.
  const unsupported = segments.at(-1) === '$everything' ? undefined : unknownOperation(segments);
  if (unsupported) return refuse(res, unsupported);
  if (isWrite(method, fhirPath)) {
    const outcomeWanted = wantsOutcome(req.headers.prefer);
    return writes.run(async () => {
      const before = outcomeWanted ? putTargetVersion(context.repo, method, segments) : undefined;
      respond(res, base, await write(context, method, url, segments, body, req), outcomeWanted ? (resource, status) => writeOutcome(resource, status, before) : undefined);
    });
  }
  // Searches and plain reads go to a read worker when one is ready (the same answer, computed off this thread).
  const offloadable = !visible || grant;
  if (type && segments.length === 1 && method === 'GET') {
    if (offloadable && (await offThread(context, res, { kind: 'search', type, query, base }, grant))) return;
    return respond(res, base, search(context, type, query, base, visible));
  }
  if (type && segments.length === 2 && id === '_search' && method === 'POST') {
    const posted = { ...query, ...toQuery(new URLSearchParams(String(body ?? ''))) };
    const refused = grant && otherPatientSearch(grant, type, posted);
    if (refused) return sendJson(res, 403, issueOutcome('forbidden', refused));
    if (offloadable && (await offThread(context, res, { kind: 'search', type, query: posted, base }, grant))) return;
    return respond(res, base, search(context, type, posted, base, visible));
  }
  if (type === 'Patient' && id && operation === '$everything' && method === 'GET') {
    return respond(res, base, await patientEverything(context.repo, id, base));
  }
  if (type === 'Patient' && id && operation && segments.length === 3 && isResourceType(operation) && method === 'GET') {
    // Compartment search: Patient/{id}/ExplanationOfBenefit is the type's search restricted to that compartment.
    const inCompartment = (r: Resource) => inPatientCompartment(r, id) && (!visible || visible(r));
    const task = { kind: 'search' as const, type: operation, query, base, path: `Patient/${id}/${operation}` };
    if (offloadable && (await offThread(context, res, task, grant, id))) return;
    return respond(res, base, search(context, operation, query, base, inCompartment, `Patient/${id}/${operation}`));
  }
  if (method === 'GET' && segments.length === 2 && id && !id.startsWith('_') && !id.startsWith('$') && !url.searchParams.size && type !== 'Bundle' && offloadable) {
    if (await offThread(context, res, { kind: 'read', type: type!, resourceId: id }, grant, undefined, req.headers['if-none-match'])) return;
  }
  if (method === 'GET' && segments.length === 3 && operation === '_history') {
    // _count, _offset and _since read here, where the base for the entries' fullUrl and the paging links is known.
    const history = instanceHistory(type!, id!, context.repo.versions(type!, id!), query, base);
    return 'resourceType' in history ? respond(res, base, [allOk, history]) : refuse(res, history);
  }
  const answer = await context.router.handleRequest(fhirRequest(method, fhirPath, url, body, req), context.repo);
  if (method === 'GET' && segments.length === 2 && notModified(answer, req.headers['if-none-match'])) {
    res.writeHead(304, { etag: `W/"${answer[1]?.meta?.versionId}"` });
    return void res.end();
  }
  return respond(res, base, answer);
}

/**
 * Answers a search or a plain read on a read worker, when the server has them and one is ready: true once answered.
 * False, sending nothing, when the caller must answer here: no worker ready, the worker failed, or a read found
 * nothing (the router's 404). `grant` (a patient token) and `compartment` (`Patient/ID/Type`) say what the answer
 * may show; a backend token's type filter is a function of its grant and stays on this thread (the caller's check).
 */
async function offThread(context: HttpContext, res: ServerResponse, task: ReadRequest, grant: PatientGrant | undefined, compartment?: string, ifNoneMatch?: string): Promise<boolean> {
  const scope: ReadScope | undefined =
    grant || compartment ? { ...(grant ? { patient: { id: grant.patient, types: grant.types === '*' ? '*' : [...grant.types] } } : {}), ...(compartment ? { compartment } : {}) } : undefined;
  const pending = context.reads?.run(task.kind === 'search' ? { ...task, scope } : task);
  if (!pending) return false;
  let answer;
  try {
    answer = await pending;
  } catch {
    return false;
  }
  if (task.kind === 'read' && answer.status === 404) return false;
  const headers: Record<string, string> = {};
  if (answer.versionId) {
    const etag = `W/"${answer.versionId}"`;
    if (notModified([allOk, { resourceType: 'Basic', meta: { versionId: answer.versionId } } as Resource], ifNoneMatch)) {
      res.writeHead(304, { etag });
      res.end();
      return true;
    }
    headers.etag = etag;
  }
  if (answer.lastUpdated) headers['last-modified'] = new Date(answer.lastUpdated).toUTCString();
  res.writeHead(answer.status, { 'content-type': FHIR_JSON, 'content-length': answer.body.byteLength, ...headers });
  res.end(answer.body);
  return true;
}

/**
 * 501 for type and system history (`GET [type]/_history`, `GET /_history`): the sandbox serves instance history only
 * (`Patient/<id>/_history`; its CapabilityStatement lists `history-instance` alone). Undefined for anything else.
 */
function historyRefusal(method: string, segments: string[]): Refusal | undefined {
  const system = segments.length === 1 && segments[0] === '_history';
  const typeLevel = segments.length === 2 && segments[1] === '_history' && isResourceType(segments[0]!);
  if (method !== 'GET' || (!system && !typeLevel)) return undefined;
  const asked = system ? 'system history (GET [base]/_history)' : `type history (GET ${segments[0]}/_history)`;
  return { status: 501, outcome: issueOutcome('not-supported', `${asked} is not supported by this server: it serves the history of one resource, GET [type]/[id]/_history`) };
}

/** FHIR's id datatype. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Why the client cannot have JSON (406), from `_format` and then `Accept`; undefined when it can. */
function formatRefusal(format: string | null, accept: string | undefined): string | undefined {
  if (format) {
    return /json/i.test(format) ? undefined : `_format=${format} is not supported: this server answers JSON only (application/fhir+json)`;
  }
  if (!accept?.trim()) return undefined;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  const acceptable = types.some((t) => t === '*/*' || t === 'application/*' || t.includes('json'));
  return acceptable ? undefined : `Accept: ${accept} is not supported: this server answers JSON only (application/fhir+json)`;
}

/** A read whose current version the client already holds (If-None-Match with its ETag). */
function notModified([outcome, resource]: FhirResponse, ifNoneMatch: string | undefined): boolean {
  const version = resource?.meta?.versionId;
  if (!ifNoneMatch || !version || !isOk(outcome) || resource.resourceType === 'Bundle') return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === `"${version}"`;
  });
}

async function write(context: HttpContext, method: HttpMethod, url: URL, segments: string[], body: unknown, req: IncomingMessage): Promise<FhirResponse> {
  const [type, id] = segments;
  if (method === 'POST' && segments.length === 0) return writeBundle(context, body as Bundle);
  const resource = body as Resource | undefined;
  if (context.check && resource?.resourceType && ((method === 'POST' && segments.length === 1) || (method === 'PUT' && segments.length === 2))) {
    const issues = context.check([resource]);
    if (issues.length) return [validationOutcome(issues)];
  }
  // medplum's delete does not read If-Match: a DELETE of another version than the current one is a 412 here.
  const stale = method === 'DELETE' && segments.length === 2 && deleteRefusal({ request: { method, url: `${type}/${id}`, ifMatch: req.headers['if-match'] } }, context.repo);
  if (stale) return [stale];
  const mismatch = method === 'PUT' && segments.length === 2 ? updateBodyProblem(type!, id!, resource) : undefined;
  if (mismatch) return [{ ...badRequest(mismatch.text), issue: [{ severity: 'error', code: 'invalid', details: { text: mismatch.text }, expression: [mismatch.element] }] }];
  const creates = method === 'PUT' && type && id && segments.length === 2 && !context.repo.has(type, id);
  // A DELETE of a resource deleted already changes nothing and is answered 200 as the first was (history.ts deletedAlready).
  const deletion = method === 'DELETE' && type && id && segments.length === 2 && !context.repo.has(type, id) ? context.repo.versions(type, id) : undefined;
  const response = await context.router.handleRequest(fhirRequest(method, segments.join('/'), url, body, req), context.repo);
  if (creates && isOk(response[0]) && response[1]) return [created, response[1]];
  if (deletion && deletedAlready(deletion) && isOk(response[0])) return [alreadyDeletedOutcome(type!, id!, deletion)];
  return response;
}

/**
 * A transaction or batch, checked first with --validate: a refused batch entry answers alone, in place. The Bundle's
 * own rules (bundleRuleProblems: a fullUrl's form, a placeholder no entry's fullUrl names, a batch entry referring to
 * another) come before the validator, so they answer as without --validate: a transaction 400 `processing` whole, a
 * batch entry 400 alone (R4 http.html#trules, #brules; the validator would call some of them 422).
 */
async function writeBundle(context: HttpContext, bundle: Bundle): Promise<FhirResponse> {
  if (!context.check || bundle?.resourceType !== 'Bundle' || !Array.isArray(bundle.entry)) return processBundle(context.router, context.repo, bundle);
  const repeated = (bundle.type === 'transaction' || bundle.type === 'batch') && repeatedFullUrlRefusal(bundle);
  if (repeated) return [repeated];
  const problems = bundleRuleProblems(bundle);
  const refusal = bundleRuleRefusal(bundle, problems);
  if (refusal) return [refusal];
  const { refuse, refusedEntries } = checkBundle(context.check, bundle);
  if (refuse) return [refuse];
  // Answered here, the Bundle's rules before the validator's: the entries sent on are renumbered, and their
  // bundleRuleProblems would name the wrong Bundle.entry[N].
  const refused = new Map([...refusedEntries].map(([i, outcome]) => [i, { status: '422 Unprocessable Entity', outcome }]));
  for (const [i, issues] of problems) refused.set(i, ruleAnswer(issues));
  if (!refused.size) return processBundle(context.router, context.repo, bundle);
  const kept = bundle.entry.filter((_, i) => !refused.has(i));
  const [outcome, result] = kept.length ? await processBundle(context.router, context.repo, { ...bundle, entry: kept }) : [allOk, { resourceType: 'Bundle', type: 'batch-response', entry: [] } as Bundle];
  if (!isOk(outcome) || result?.resourceType !== 'Bundle') return result ? [outcome, result] : [outcome];
  const answered = [...(result.entry ?? [])];
  const entry = bundle.entry.map((_, i) => {
    const response = refused.get(i);
    return response ? { response } : (answered.shift() ?? {});
  });
  return [allOk, { ...result, entry }];
}

function search(context: HttpContext, type: string, query: Query, base: string, visible?: (r: Resource) => boolean, path?: string): FhirResponse {
  try {
    return [allOk, runSearch(context.repo, planSearch(type, query), base, query, visible, path)];
  } catch (error) {
    return [normalizeOperationOutcome(error)];
  }
}

function fhirRequest(method: HttpMethod, path: string, url: URL, body: unknown, req: IncomingMessage): FhirRequest {
  return { method, url: `${path}${url.search}`, pathname: '', params: {}, query: toQuery(url.searchParams), body, headers: req.headers };
}

/** The answer to a request; `instead` (Prefer: return=OperationOutcome on a write) replaces a resource body, the headers kept. */
function respond(res: ServerResponse, base: string, [outcome, resource]: FhirResponse, instead?: (resource: Resource, status: number) => OperationOutcome): void {
  const status = getStatus(outcome);
  if (!resource || !isOk(outcome)) return sendJson(res, status, outcome);
  const headers: Record<string, string> = {};
  const version = resource.meta?.versionId;
  if (version && resource.resourceType !== 'Bundle') headers.etag = `W/"${version}"`;
  if (status === 201 && resource.id) {
    headers.location = `${base}/${resource.resourceType}/${resource.id}${version ? `/_history/${version}` : ''}`;
  }
  if (resource.meta?.lastUpdated && resource.resourceType !== 'Bundle') headers['last-modified'] = new Date(resource.meta.lastUpdated).toUTCString();
  sendJson(res, status, instead && resource.resourceType !== 'Bundle' ? instead(resource, status) : resource, FHIR_JSON, headers);
}

function send(res: ServerResponse, status: number, outcome: OperationOutcome, text?: string): void {
  const body = text ? { ...outcome, issue: [{ severity: 'error' as const, code: 'not-found' as const, details: { text } }] } : outcome;
  sendJson(res, status, body);
}

function refuse(res: ServerResponse, { status, outcome, headers }: Refusal): void {
  sendJson(res, status, outcome, FHIR_JSON, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, contentType = FHIR_JSON, headers: Record<string, string> = {}): void {
  const text = answerText(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function toQuery(params: URLSearchParams): Query {
  const query: Query = {};
  for (const [key, value] of params) {
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

async function readJsonBody(req: IncomingMessage, readBody: (req: IncomingMessage) => Promise<Buffer>, segments: string[]): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  if (!text.trim()) return undefined;
  const unreadable = mediaTypeRefusal(req.method ?? 'POST', segments, req.headers['content-type'], text.length);
  if (unreadable) throw new RefusalError(unreadable);
  if ((req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OperationOutcomeError(badRequest(`request body is not JSON (${(error as Error).message})`));
  }
}

/** A refusal found while reading the body (415), answered with its own status by the handler's catch. */
class RefusalError extends OperationOutcomeError {
  constructor(readonly refusal: Refusal) {
    super(refusal.outcome);
  }
}

function getStatusSafe(error: unknown): number {
  if (error instanceof BodyTooLargeError) return 413;
  if (error instanceof RefusalError) return error.refusal.status;
  return error instanceof OperationOutcomeError ? getStatus(error.outcome) : 500;
}
